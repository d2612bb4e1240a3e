"""The bundle's single executable: `Sideload` opens the app; called as `sideload` (a link beside it) or
with a command (`Sideload search …`) it is the command line."""
import os
import sys


def main() -> int:
    name = os.path.basename(sys.argv[0]).lower()
    if name.startswith("sideload") and not name.startswith("sideload-app") and (name == "sideload" or len(sys.argv) > 1):
        from sideload.cli import main as cli_main

        return cli_main(sys.argv[1:])
    from ui.app import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
