"""`python -m expert ...`: the aanpakwijzer command line."""
from expert.cli import run

run()
