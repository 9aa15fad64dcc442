"""Values a page quotes from a snippet's run: an expression over the snippet's final globals, formatted.

A quote's text is what stands inside the braces of an f-string replacement field: an expression with an
optional `!r`/`!s` conversion and `:format_spec`, e.g. `correct / len(y_test):.2%`. The page checks its
syntax (`check`); the snippet's own process evaluates it after the script ends (`evaluate`), so the
value comes from the very run whose output the page shows, with no second run.
"""

import ast
import contextlib
import io

MAX_CHARS = 60  # a quoted value is a few words of prose, not an output


def source(text: str) -> str:
    """The f-string that evaluates the quote; SyntaxError with a reader's reason if it is not one field."""
    if "\\" in text:
        raise SyntaxError("a backslash cannot appear in a quoted expression (as in an f-string's braces)")
    quote = next((q for q in ('"', "'", '"""', "'''") if q not in text), None)
    if quote is None or not text.strip():
        raise SyntaxError("write one Python expression, e.g. correct / total:.2%")
    code = f"f{quote}{{{text}}}{quote}"
    tree = ast.parse(code, mode="eval")  # SyntaxError: the expression or its format spec is not Python
    fields = tree.body.values if isinstance(tree.body, ast.JoinedStr) else []
    if len(fields) != 1 or not isinstance(fields[0], ast.FormattedValue):
        raise SyntaxError("write one Python expression, e.g. correct / total:.2%")
    return code


def check(text: str) -> str | None:
    """Why the quote's text is not one expression with an optional format spec; None when it is."""
    try:
        source(text)
    except SyntaxError as error:
        return error.msg.removeprefix("f-string: ")
    return None


def evaluate(quotes: list, namespace: dict) -> dict:
    """Each quote's formatted value, or the error its evaluation raised, as {"value": str} / {"error": str}."""
    values = {}
    for text in quotes:
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                value = eval(source(text), namespace)  # noqa: S307 - the snippet's own code, in its own sandbox
        except Exception as error:  # noqa: BLE001 - the author's mistake, reported on the page
            values[text] = {"error": f"{type(error).__name__}: {error}"}
            continue
        if printed.getvalue():
            values[text] = {"error": "evaluating it printed something; quote a value, not a call that prints"}
        else:
            values[text] = {"error": why} if (why := unfit(value)) else {"value": value}
    return values


def unfit(value: str) -> str | None:
    """Why a value cannot stand in a line of prose; None when it can."""
    if (lines := len(value.splitlines())) > 1:
        return f"its value is {lines} lines long; a quoted value is one short line"
    if len(value) > MAX_CHARS or not value.isprintable():
        return (
            f"its value, {value[:MAX_CHARS]!r}{'…' if len(value) > MAX_CHARS else ''}, is not one short line "
            f"(at most {MAX_CHARS} printable characters): quote a number or a short text"
        )
    return None
