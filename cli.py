"""The aanpakwijzer command line; the code lives in expert/cli.py (installed as the
`aanpakwijzer` console script). `python cli.py ...` works from a checkout."""
from expert.cli import main, run

__all__ = ["main", "run"]

if __name__ == "__main__":
    run()
