"""``python -m perfmkt``: the same command as ``perfmkt``."""

if __name__ == "__main__":  # not when imported (a spawned worker re-imports the main module)
    from perfmkt.cli import main

    main()
