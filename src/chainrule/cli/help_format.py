"""The help's layout: descriptions and examples as written, fitted to the terminal (an example command
broken with ` \\` continuations so that it still runs when pasted), every option's default after its help."""
from __future__ import annotations

import argparse
import re
import textwrap


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Descriptions and examples as written; every option's default after its help (none for flags: a
    --no-X flag's default is True, its dest's, which "(default: True)" beside --no-X says backwards)."""

    def _fill_text(self, text, width, indent):
        """Each line as written where it fits; a longer one broken at spaces to the terminal's width: prose
        under its own indent (an item's text under its text), an example command with ` \\` continuations,
        its trailing comment on a line of its own above it, so that it still runs when pasted."""
        lines, commands = [], False
        for line in text.splitlines():
            if line and not line[0].isspace():
                commands = line.startswith("example")
            body = line.lstrip()
            lead = indent + line[:len(line) - len(body)]
            if len(indent) + len(line) <= width:
                lines.append(indent + line)
            elif commands:
                lines.extend(_broken_command(body, lead, width))
            else:
                item = re.match(r"\d+ +|\S+\s{2,}", body)     # "130 interrupted": a number is an item too
                hang = lead + " " * (item.end() if item else 0)
                lines.extend(textwrap.wrap(body, width, initial_indent=lead, subsequent_indent=hang,
                                           break_long_words=False, break_on_hyphens=False))
        return "\n".join(lines)

    def _format_usage(self, usage, actions, groups, prefix):
        """argparse's usage, or where a line of it is wider than the terminal (each option under the command's
        name, 'usage: chainrule predict ' 26 columns in, at COLUMNS=40), its options packed under a 4-space indent
        (an option's values, wider, under the option; a mutually exclusive group's choices one a line)."""
        text = super()._format_usage(usage, actions, groups, prefix)
        if all(len(line) <= self._width for line in text.splitlines()):
            return text
        head, _, rest = text.strip().partition(self._prog)
        parts, depth, word = [], 0, ""
        for c in " ".join(rest.split()) + " ":             # split at the spaces outside brackets: one option a part
            depth += (c in "[(") - (c in "])")
            if c == " " and depth == 0:
                parts, word = ([*parts, word] if word else parts), ""
            else:
                word += c
        lines = [head + self._prog]
        for part in parts:
            if len(lines) > 1 and len(lines[-1]) + 1 + len(part) <= self._width:
                lines[-1] += " " + part
            elif len(part) + 4 <= self._width or " " not in part:
                lines.append("    " + part)
            elif " | " in part:          # a mutually exclusive group: one choice a line, each option with its values
                first, *others = part.split(" | ")
                lines += ["    " + first, *("      | " + other for other in others)]
            else:            # an option with its values wider than the line: its values under it
                option, _, values = part.partition(" ")
                lines += ["    " + option, "      " + values]
        return "\n".join(lines) + "\n\n"

    def _format_action_invocation(self, action):
        """argparse's '--option VALUES', or where the two are wider than the terminal (train's '--class-weight
        balanced|LABEL=W[,LABEL=W]', 43 columns), the values on a line of their own under the option."""
        text = super()._format_action_invocation(action)
        if self._current_indent + len(text) <= self._width or len(action.option_strings) != 1 or " " not in text:
            return text
        option, _, values = text.partition(" ")
        return f"{option}\n{' ' * (self._current_indent + 4)}{values}"

    def _get_help_string(self, action):
        help_text = action.help or ""
        default = action.default
        if default is None or default is False or default is argparse.SUPPRESS or default == [] \
                or "default" in help_text or not action.option_strings or action.nargs == 0:
            return help_text
        return f"{help_text} (default: %(default)s)"


def _broken_command(body: str, lead: str, width: int) -> list[str]:
    """A shell command too long for `width`: broken between its words (a quoted word kept whole), each
    line but the last ending in ` \\`; a comment after it goes on the line above."""
    command, _, comment = body.partition("  # ")
    lines = textwrap.wrap(comment.strip(), width, initial_indent=f"{lead}# ", subsequent_indent=f"{lead}# ",
                          break_long_words=False, break_on_hyphens=False)
    words: list[str] = []
    for word in re.findall(r"""(?:'[^']*'|"[^"]*"|\S)+""", command):     # an option kept with its value
        if words and words[-1].startswith("-") and " " not in words[-1] and not word.startswith("-"):
            words[-1] += " " + word
        else:
            words.append(word)
    line = lead + words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) + 2 > width:
            lines.append(line + " \\")
            line = lead + "    " + word
        else:
            line += " " + word
    return [*lines, line]
