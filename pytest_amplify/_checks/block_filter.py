"""A regex's *block filter*: a regex that finds, in a block of lines joined by ``\\n``,
at least every line where the original regex matches that line alone.

The filter is the original with ``re.MULTILINE`` added, loosened where a block
changes what the original means:

- ``\\A`` becomes ``^`` and ``\\Z`` (``\\z``) becomes ``$``: the start and end of the
  line, which is what they mean in one line;
- a lookaround is dropped: what it sees beyond the line differs in a block;
- an atomic group ``(?>...)`` becomes ``(?:...)`` and a possessive quantifier
  (``*+``, ``++``, ``?+``, ``{m,n}+``) a greedy one: what they commit to may run
  across lines in a block, and leave no second chance;
- a group that turns MULTILINE off (``(?-m:...)``) keeps it on.

Each change only removes a constraint, so every match of the original in a line is
still a match of the filter at the same place; the filter may find more, and every
line it finds is checked alone (``log_search``). A regex whose loosening would
change its groups' numbers (a capturing group inside a lookaround), or whose loosened
form does not compile, gets no filter: it is checked line by line.
"""

from __future__ import annotations

import re

_QUANTIFIER_BRACES = re.compile(r"\{(?:\d+(?:,\d*)?|,\d+)\}")
_VERBOSE_FLAG = re.compile(r"\s*\(\?[aiLmsux]*x[aiLmsux]*\)")
_INLINE_FLAGS = re.compile(r"\(\?([aiLmsux]*)-([imsx]+)([:)])")


def block_filter(matcher: re.Pattern[str]) -> re.Pattern[str] | None:
    """The block filter of ``matcher``; None when it has none (see the module)."""
    verbose = bool(matcher.flags & re.VERBOSE) or bool(_VERBOSE_FLAG.match(matcher.pattern))
    source = loosen(matcher.pattern, verbose)
    if source is None:
        return None
    try:
        return re.compile(source, matcher.flags | re.MULTILINE)
    except re.error:
        return None


def _class_end(source: str, start: int) -> int:
    """The index just after the character class that starts at ``source[start]``."""
    i = start + 1
    if i < len(source) and source[i] == "^":
        i += 1
    if i < len(source) and source[i] == "]":
        i += 1  # a "]" first is a literal
    while i < len(source) and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    return i + 1


def _comment_end(source: str, start: int) -> int:
    end = source.find("\n", start)
    return len(source) if end < 0 else end


def _group_end(source: str, start: int, verbose: bool) -> tuple[int, bool]:
    """The index just after the group that opens at ``source[start]``, and whether a
    capturing or named group sits inside it."""
    depth, i, captures = 0, start, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(source, i)
            continue
        if verbose and char == "#":
            i = _comment_end(source, i)
            continue
        if char == "(":
            depth += 1
            if i > start and (source[i + 1 : i + 2] != "?" or source[i + 1 : i + 3] == "?P"):
                captures = True
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1, captures
        i += 1
    return len(source), captures


def _group_start(source: str, i: int, verbose: bool) -> tuple[str, int] | None:
    """What an opening parenthesis at ``i`` becomes, and where to go on; None when
    the regex cannot be loosened."""
    head = source[i : i + 4]
    if head.startswith(("(?=", "(?!", "(?<=", "(?<!")):
        end, captures = _group_end(source, i, verbose)
        return None if captures else ("(?:)", end)
    if head.startswith("(?>"):
        return "(?:", i + 3
    flags = _INLINE_FLAGS.match(source, i)
    if flags is not None and "m" in flags.group(2):
        kept_off = flags.group(2).replace("m", "")
        text = f"(?{flags.group(1)}{'-' + kept_off if kept_off else ''}{flags.group(3)}"
        return ("(?:" if text == "(?:" else text), flags.end()
    if head.startswith("(?#"):
        end = source.find(")", i)
        end = len(source) if end < 0 else end + 1
        return source[i:end], end
    # Any other group: its "(?" is syntax, not a "?" quantifier.
    return ("(?", i + 2) if source[i + 1 : i + 2] == "?" else ("(", i + 1)


def loosen(source: str, verbose: bool = False) -> str | None:
    """``source`` loosened as the module says; None when it cannot be."""
    out: list[str] = []
    i = 0
    quantified = False  # the last token was a quantifier: a "+" now makes it possessive
    while i < len(source):
        char = source[i]
        if char == "+" and quantified:
            quantified = False
            i += 1  # possessive: keep the greedy quantifier alone
            continue
        quantified = False
        if char == "\\":
            escaped = source[i + 1 : i + 2]
            out.append({"A": "^", "Z": "$", "z": "$"}.get(escaped, "\\" + escaped))
            i += 2
        elif char == "[":
            end = _class_end(source, i)
            out.append(source[i:end])
            i = end
        elif verbose and char == "#":
            end = _comment_end(source, i)
            out.append(source[i:end])
            i = end
        elif char == "(":
            started = _group_start(source, i, verbose)
            if started is None:
                return None
            text, i = started
            out.append(text)
        elif char in "*+?":
            out.append(char)
            i += 1
            if source[i : i + 1] == "?":  # lazy: a "+" after it is a syntax error anyway
                out.append("?")
                i += 1
            quantified = True
        elif char == "{" and (braces := _QUANTIFIER_BRACES.match(source, i)):
            out.append(braces.group())
            i = braces.end()
            quantified = True
        else:
            out.append(char)
            i += 1
    return "".join(out)
