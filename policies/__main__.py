"""`python -m policies ...`: the policies commands without the rest of herstel's CLI."""

import sys

from policies.cli import main

sys.exit(main())
