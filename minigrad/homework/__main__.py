"""python -m minigrad.homework: the minigrad-homework command."""
import sys

from minigrad.homework.cli import main

sys.exit(main())
