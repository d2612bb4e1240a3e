"""The bundle's single executable: `Sideload` opens the app; called through the `sideload` link beside
it, it is the command line (`sideload search …`)."""
import os
import sys


def main() -> int:
    if os.path.basename(sys.argv[0]) == "sideload":  # case matters: the app is `Sideload`
        from sideload.cli import main as cli_main

        return cli_main(sys.argv[1:])
    from ui.app import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
