"""``python -m app.media.filters``: download the segmentation model into the user cache."""

from app.media.filters.model_store import provision_model


def main() -> None:
    def show(done_bytes: int, total_bytes: int) -> None:
        print(f"\r{done_bytes / 1e6:5.1f} / {total_bytes / 1e6:.1f} MB", end="", flush=True)

    path = provision_model(progress=show)
    print(f"\nsegmentation model: {path}")


if __name__ == "__main__":
    main()
