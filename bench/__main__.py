from bench.two_bots import main

main()
