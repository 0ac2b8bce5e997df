"""The internals that tests reach for, in one place (tests import no private module)."""

from pytest_amplify._block_filter import loosen
from pytest_amplify._log_lines import MAX_LINE, LineTooLong, line_blocks
from pytest_amplify._log_search import ClosestLines, LineSearch, scan

__all__ = [
    "MAX_LINE",
    "ClosestLines",
    "LineSearch",
    "LineTooLong",
    "line_blocks",
    "loosen",
    "scan",
]
