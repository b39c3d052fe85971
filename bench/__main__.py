"""python -m bench: every benchmark, one after the other."""

from bench import turns

if __name__ == "__main__":
    turns.main()
