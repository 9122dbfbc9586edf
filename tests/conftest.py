pytest_plugins = [
    "tests.fixtures.coordinator",
    "tests.fixtures.media_files",
    "tests.fixtures.pulseaudio",
    "tests.fixtures.qt",
]
