"""What each name in a snippet's code denotes, resolved in the snippet's own process after it ran.

The snippet runs with globals that note the type of every value its module-level code binds, line
by line (`BindingLog`); nothing else about the run changes. Afterwards `resolve` walks the code's
names: imports, attribute chains, calls and subscripts, followed through those bindings, and through
simple assignments and return annotations inside functions. A name resolves to a library object
(torch, numpy, matplotlib, scikit-learn, the standard library) or to a class or function the
snippet defines. A name whose binding held values of different types, or whose value cannot be
known without running code again, stays unresolved: the page shows it plain, never a wrong link.

The documentation URLs are those of the installed versions (`api_urls.py`).
"""

import ast
import builtins
import inspect
import re
import sys
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from . import api_urls
from .protocol import ApiName, ApiTarget

MAX_ELEMENTS = 64  # items looked at to find the one type a container's items share
MAX_PARAMETERS = 5  # a signature shows this many parameters, then …
MAX_SUMMARY = 160  # characters of the docstring's first line
MISSING = object()


@dataclass(frozen=True)
class _Object:
    """The very object: a module, class or function."""

    value: object
    name: str  # its public qualified name, e.g. torch.nn.Conv2d


@dataclass(frozen=True)
class _Instance:
    """Some instance of `cls`; `element`: the one class its items all have (lists, tuples, object arrays)."""

    cls: type
    element: type | None = None
    items: tuple["_Kind", ...] | None = None  # a tuple's items, one by one (for unpacking)


_Kind = _Object | _Instance | None


class BindingLog(dict):
    """The snippet's globals: every store of its module-level code notes the line and the value's kind.

    `sys.modules["__main__"]` is a `MainModule` that reads and writes these same globals, so pickle,
    `import __main__` and `global` statements (whose stores bypass `__setitem__`) see one namespace."""

    def __init__(self, code: types.CodeType, **initial):
        super().__init__(initial)
        self._code = code
        self.stored: dict[tuple[int, str], set] = {}

    def __setitem__(self, name, value):
        super().__setitem__(name, value)
        frame = sys._getframe(1)
        if frame.f_code is self._code:
            kinds = self.stored.setdefault((frame.f_lineno, name), set())
            if len(kinds) < 3:
                kinds.add(_kind_of(value))


class MainModule(types.ModuleType):
    """`__main__` for a snippet run with a BindingLog: its attributes are those globals."""

    def __init__(self, namespace: BindingLog):
        super().__init__("__main__")
        object.__setattr__(self, "_namespace", namespace)

    def __getattr__(self, name):
        try:
            return self._namespace[name]
        except KeyError:
            raise AttributeError(f"module '__main__' has no attribute '{name}'") from None

    def __setattr__(self, name, value):
        dict.__setitem__(self._namespace, name, value)

    def __delattr__(self, name):
        try:
            dict.__delitem__(self._namespace, name)
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self):
        return list(self._namespace)


def _kind_of(value) -> tuple:
    """A hashable description of what a binding held: the object itself (a module, class or function), or
    its class and the class its items share. Never raises: a snippet's odd object is just an instance."""
    try:
        if isinstance(value, types.ModuleType | type | types.FunctionType | types.BuiltinFunctionType):
            return ("object", id(value), value)
        return ("instance", type(value), _element_type(value))
    except Exception:  # noqa: BLE001 - e.g. a __getattr__ that raises KeyError, or an unhashable class
        return ("unknown",)


def _element_type(value) -> type | None:
    """The one class a tuple's or an object array's items share (a list may still change: not looked at)."""
    numpy = sys.modules.get("numpy")  # imported by the executor already; a snippet's arrays are numpy's
    if isinstance(value, tuple):
        items: Iterable = value[:MAX_ELEMENTS]
    elif numpy is not None and isinstance(value, numpy.ndarray) and value.dtype == object:
        items = value.flat[:MAX_ELEMENTS]
    else:
        return None
    classes = {type(item) for item in items}
    return classes.pop() if len(classes) == 1 else None


def resolve(source: str, log: BindingLog) -> tuple[list[ApiName], dict[str, ApiTarget]]:
    """Every resolved name in `source` (the code that ran) with its target, keyed by qualified name."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [], {}
    resolver = _Resolver(source, tree, log)
    resolver.visit(tree)
    return resolver.names, resolver.targets


@dataclass
class _Scope:
    node: ast.AST | None  # None: the module
    assigned: dict[str, list[ast.AST]] = field(default_factory=dict)  # local name -> the expressions bound to it
    parameters: set[str] = field(default_factory=set)


class _Resolver(ast.NodeVisitor):
    def __init__(self, source: str, tree: ast.Module, log: BindingLog):
        self.lines = re.split(r"\r\n|\r|\n", source)  # Python's line ends only (not \f, U+2028, ...)
        self.log, self.tree = log, tree
        self.names: list[ApiName] = []
        self.targets: dict[str, ApiTarget] = {}
        self.scopes = [_Scope(None)]
        self.defined = {  # the snippet's own module-level classes and functions -> their line
            node.name: node.lineno
            for node in tree.body
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.imported = {  # a module-level name bound by `from m import x [as y]` -> m.x
            alias.asname or alias.name: f"{node.module}.{alias.name}"
            for statement in tree.body
            for node in _walk_this_scope(statement)
            if isinstance(node, ast.ImportFrom) and node.module and not node.level
            for alias in node.names
        }
        # Rebound from elsewhere (a function's `global` or `nonlocal`): what such a name holds is not followed
        self.rebound = {name for node in ast.walk(tree) if isinstance(node, ast.Global | ast.Nonlocal) for name in node.names}
        self.stored: dict[str, set] = {}  # a module-level name -> the kinds of value it held, on any line
        for (_, name), kinds in log.stored.items():
            self.stored.setdefault(name, set()).update(kinds)
        self._inferring: set[int] = set()

    # -- scopes -------------------------------------------------------------------------------------
    def visit_FunctionDef(self, node):
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.visit(node.args)
        if node.returns:
            self.visit(node.returns)
        self._in_scope(node, node.body, _parameters(node.args))

    visit_AsyncFunctionDef = visit_FunctionDef  # noqa: N815 - ast.NodeVisitor's naming

    def visit_ClassDef(self, node):
        for expression in [*node.decorator_list, *node.bases, *(keyword.value for keyword in node.keywords)]:
            self.visit(expression)
        self._in_scope(node, node.body, set())

    def visit_Lambda(self, node):
        self.visit(node.args)
        self._in_scope(node, [node.body], _parameters(node.args))

    def _in_scope(self, node, body: list, parameters: set[str]) -> None:
        scope = _Scope(node, parameters=parameters)
        for statement in body:
            for target, value in _bindings(statement):
                scope.assigned.setdefault(target, []).append(value)
        self.scopes.append(scope)
        for statement in body:
            self.visit(statement)
        self.scopes.pop()

    def visit_ListComp(self, node):
        self._comprehension(node, [node.elt])

    visit_SetComp = visit_GeneratorExp = visit_ListComp  # noqa: N815 - ast.NodeVisitor's naming

    def visit_DictComp(self, node):
        self._comprehension(node, [node.key, node.value])

    def _comprehension(self, node, results: list) -> None:
        self.visit(node.generators[0].iter)  # evaluated in the enclosing scope
        scope = _Scope(node)
        for generator in node.generators:
            for target, value in _targets(generator.target, _Element(generator.iter)):
                scope.assigned.setdefault(target, []).append(value)
        self.scopes.append(scope)
        for number, generator in enumerate(node.generators):
            if number:
                self.visit(generator.iter)
            for condition in generator.ifs:
                self.visit(condition)
        for result in results:
            self.visit(result)
        self.scopes.pop()

    # -- names --------------------------------------------------------------------------------------
    def visit_ImportFrom(self, node):
        if node.level or not node.module:
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            if len(self.scopes) > 1:
                continue  # imported inside a function or class: what it binds there is not followed
            kind = self._module_name(alias.asname or alias.name, alias.lineno)
            self._link(kind, alias.lineno, _char_column(self.lines, alias.lineno, alias.col_offset), alias.name)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self._link(self._lookup(node.id, node), node.lineno, self._column(node), node.id)

    def visit_Attribute(self, node):
        self.visit(node.value)
        if not isinstance(node.ctx, ast.Load):
            return
        end_line, end = (
            node.end_lineno or node.lineno,
            _char_column(self.lines, node.end_lineno or node.lineno, node.end_col_offset or 0),
        )
        if self.lines[end_line - 1][end - len(node.attr) : end] != node.attr:
            return  # a name split over lines by a backslash, or the like: left plain
        self._link(self._member(self._infer(node.value), node.attr), end_line, end - len(node.attr), node.attr)

    def _column(self, node) -> int:
        return _char_column(self.lines, node.lineno, node.col_offset)

    def _link(self, kind: _Kind, line: int, start: int, text: str) -> None:
        target = self._target(kind)
        if target is None:
            return
        self.targets.setdefault(target.name, target)
        self.names.append(ApiName(line, start, start + len(text), target.name))

    def _target(self, kind: _Kind) -> ApiTarget | None:
        if isinstance(kind, _Object) and kind.name in self.targets:
            return self.targets[kind.name]
        if not isinstance(kind, _Object) or isinstance(kind.value, types.ModuleType):
            return None  # module names and values (numbers, tensors) are not linked; what they hold is
        value, name = kind.value, kind.name
        if name.startswith("__main__."):
            own = name.removeprefix("__main__.")
            if own not in self.defined:
                return None
            return ApiTarget(own, "", _signature(value, own), _summary(value), self.defined[own])
        url = api_urls.url(name, value)
        if url is None:
            return None
        return ApiTarget(name, url, _signature(value, name), _summary(value))

    # -- what a name holds --------------------------------------------------------------------------
    def _lookup(self, name: str, node: ast.AST) -> _Kind:
        if name in self.rebound:
            return None
        innermost = len(self.scopes) - 1
        for depth in range(innermost, 0, -1):
            scope = self.scopes[depth]
            if isinstance(scope.node, ast.ClassDef) and depth != innermost:
                continue  # a class body's names are not its methods'
            if name in scope.parameters:
                return None
            if name in scope.assigned:
                return self._bound_in(depth, scope.assigned[name])
        return self._module_name(name, getattr(node, "lineno", 0))

    def _bound_in(self, depth: int, values: list) -> _Kind:
        """What the values bound in scope `depth` give, inferred there (not where the name is used)."""
        outer, self.scopes = self.scopes, self.scopes[: depth + 1]
        try:
            kinds = {self._infer(value) for value in values}
        finally:
            self.scopes = outer
        return kinds.pop() if len(kinds) == 1 else None

    def _module_name(self, name: str, line: int) -> _Kind:
        if name in self.stored:
            kinds = self.stored[name]
            if len(kinds) != 1:
                return None  # it held values of different types at different times
            return self._from_stored(name, next(iter(kinds)))
        if name in self.log or not hasattr(builtins, name):
            return None
        value = getattr(builtins, name)
        return _Object(value, f"builtins.{name}") if callable(value) else None

    def _from_stored(self, name: str, stored: tuple) -> _Kind:
        if stored[0] == "unknown":
            return None
        if stored[0] == "object":
            value = stored[2]
            if name in self.defined and getattr(value, "__module__", None) == "__main__":
                return _Object(value, f"__main__.{name}")
            if isinstance(value, types.ModuleType):
                return _Object(value, value.__name__)
            public = self.imported.get(name) or _public_name(value)
            return _Object(value, public) if public else None
        _, cls, element = stored
        return _Instance(cls, element)

    def _infer(self, node: ast.AST) -> _Kind:
        if id(node) in self._inferring:
            return None  # x = x + 1
        self._inferring.add(id(node))
        try:
            return self._infer_now(node)
        finally:
            self._inferring.discard(id(node))

    def _infer_now(self, node) -> _Kind:  # noqa: PLR0911 - one answer per kind of expression
        if isinstance(node, ast.Name):
            return self._lookup(node.id, node)
        if isinstance(node, ast.Attribute):
            return self._member(self._infer(node.value), node.attr)
        if isinstance(node, ast.Call):
            return _called(self._infer(node.func))
        if isinstance(node, ast.Subscript):
            return _item(self._infer(node.value), node.slice)
        if isinstance(node, _Element):
            return _element(self._infer(node.iterable), node.iterable, self)
        if isinstance(node, _Item):
            container = self._infer(node.container)
            if isinstance(container, _Instance) and container.items and node.index < len(container.items):
                return container.items[node.index]
            return None
        if isinstance(node, ast.Compare | ast.BinOp | ast.UnaryOp):
            operands = [node.left, *node.comparators] if isinstance(node, ast.Compare) else []
            if isinstance(node, ast.BinOp):
                operands = [node.left, node.right]
            elif isinstance(node, ast.UnaryOp):
                operands = [node.operand]
            kinds = [self._infer(operand) for operand in operands]
            tensor = _tensor_class()
            if tensor is not None and any(_is_tensor(kind) for kind in kinds):
                return _Instance(tensor)  # torch's operators on a tensor give a tensor
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return _Instance(str)
        return None

    def _member(self, owner: _Kind, attribute: str) -> _Kind:
        if isinstance(owner, _Object):
            if isinstance(owner.value, types.ModuleType):
                value = getattr(owner.value, attribute, MISSING)
                if value is MISSING:
                    return None
                if isinstance(value, types.ModuleType):
                    return _Object(value, f"{owner.name}.{attribute}")  # os.path, not posixpath
                if isinstance(value, type) or callable(value) or api_urls.is_documented_value(value):
                    return _Object(value, f"{owner.name}.{attribute}")
                return _Instance(type(value))
            if isinstance(owner.value, type):
                return _class_member(owner.value, attribute)
            return None
        if isinstance(owner, _Instance):
            return _class_member(owner.cls, attribute)
        return None


@dataclass
class _Element(ast.AST):
    """A stand-in node: one item of iterating `iterable`."""

    iterable: ast.AST


@dataclass
class _Item(ast.AST):
    """A stand-in node: item `index` of unpacking `container`."""

    container: ast.AST
    index: int


def _parameters(arguments: ast.arguments) -> set[str]:
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    return {argument.arg for argument in every if argument}


def _bindings(statement: ast.stmt) -> Iterator[tuple[str, ast.AST]]:
    """(name, what it is bound to) for the simple bindings of a function's body (not in nested functions)."""
    for node in _walk_this_scope(statement):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                yield from _targets(target, node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            yield node.target.id, node if isinstance(node, ast.AugAssign) else (node.value or node)
        elif isinstance(node, ast.For | ast.AsyncFor):
            yield from _targets(node.target, _Element(node.iter))
        elif isinstance(node, ast.NamedExpr):
            yield node.target.id, node.value
        else:
            for name in _other_bound_names(node):
                yield name, node  # the statement itself: what it binds is not inferred


def _other_bound_names(node: ast.AST) -> list[str]:
    """Names a `with ... as`, an import, a definition or an `except ... as` binds."""
    if isinstance(node, ast.With | ast.AsyncWith):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
        return [name.id for target in targets for name in ast.walk(target) if isinstance(name, ast.Name)]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(alias.asname or alias.name).partition(".")[0] for alias in node.names]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    return []


def _walk_this_scope(statement: ast.AST) -> Iterator[ast.AST]:
    yield statement
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
        return
    for child in ast.iter_child_nodes(statement):
        if not isinstance(child, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            yield from _walk_this_scope(child)


def _targets(target: ast.AST, value: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    if isinstance(target, ast.Name):
        yield target.id, value
    elif isinstance(target, ast.Tuple | ast.List):
        for index, item in enumerate(target.elts):
            yield from _targets(item, _Item(value, index))
    elif isinstance(target, ast.Starred):
        yield from _targets(target.value, target)  # a list of some items: unknown


def _char_column(lines: list[str], line: int, byte_offset: int) -> int:
    """ast's columns count UTF-8 bytes; the page counts characters (a Chinese character is 3 bytes)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


# -- what calls, items and iteration give -----------------------------------------------------------
def _called(function: _Kind) -> _Kind:
    if isinstance(function, _Instance):  # calling a model or a loss: what its forward returns
        forward = getattr(function.cls, "forward", None)
        return _returned(forward) if forward is not None else None
    if not isinstance(function, _Object):
        return None
    if isinstance(function.value, type):
        return _Instance(function.value)
    return _returned(function.value)


def _returned(function) -> _Kind:
    """The class a call returns, from its annotation or, for torch's builtins, the signature that starts
    its docstring (`tensor(data, ...) -> Tensor`)."""
    try:
        annotation = typing.get_type_hints(function).get("return", MISSING)
    except Exception:  # noqa: BLE001 - an annotation that does not evaluate says nothing
        annotation = MISSING
    if annotation is MISSING:
        doc = (getattr(function, "__doc__", None) or "").strip()
        name = getattr(function, "__name__", "")
        if len(re.findall(rf"\b{re.escape(name)}\([^\n]*\)\s*->", doc)) != 1:
            return None  # torch.max(x) is a tensor, torch.max(x, 1) a (values, indices) tuple: not followed
        first = doc.split("\n", 1)[0]
        tensor = _tensor_class()
        return _Instance(tensor) if tensor is not None and re.fullmatch(r"\w+\(.*\)\s*->\s*Tensor", first) else None
    return _annotated(annotation)


def _annotated(annotation) -> _Kind:
    if isinstance(annotation, type) and annotation is not type(None):
        return _Instance(annotation)
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is tuple and arguments and Ellipsis not in arguments:
        return _Instance(tuple, items=tuple(_annotated(argument) for argument in arguments))
    if origin in (Iterator, Iterable, typing.Generator.__origin__) and arguments and isinstance(arguments[0], type):  # type: ignore[attr-defined]
        return _Instance(Iterator, element=arguments[0])
    return None


def _item(container: _Kind, index: ast.AST) -> _Kind:
    if not isinstance(container, _Instance):
        return None
    if _is_tensor(container):
        return container  # indexing or slicing a tensor gives a tensor
    if container.items is not None and isinstance(index, ast.Constant) and isinstance(index.value, int):
        return container.items[index.value] if -len(container.items) <= index.value < len(container.items) else None
    if container.element is not None and not isinstance(index, ast.Slice):
        return _Instance(container.element)  # one item of a list, tuple or object array
    return None


def _element(iterable: _Kind, node: ast.AST, resolver: _Resolver) -> _Kind:
    """One item of iterating `node`: a container's shared item class, or zip's and enumerate's tuples."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and resolver._lookup(node.func.id, node)
        in (
            _Object(zip, "builtins.zip"),
            _Object(enumerate, "builtins.enumerate"),
        )
    ):
        parts = [resolver._infer(_Element(argument)) for argument in node.args]
        if node.func.id == "enumerate":
            parts = [_Instance(int), parts[0] if parts else None]
        return _Instance(tuple, items=tuple(parts))
    if isinstance(iterable, _Instance):
        if iterable.element is not None:
            return _Instance(iterable.element)
        if _is_tensor(iterable):
            return iterable
    return None


def _class_member(cls: type, attribute: str) -> _Kind:
    """The attribute as the class (not an instance's own dict) defines it, named after a public class that
    has it: the owner, or a class between it and `cls` (Axes for _AxesBase.axis)."""
    mro = cls.__mro__
    owner = next((base for base in mro if attribute in vars(base)), None)
    if owner is None or owner is object or owner.__module__ == "__main__":
        return None  # the snippet's own method: its class is on the page
    value = vars(owner)[attribute]
    if isinstance(value, staticmethod | classmethod):
        value = value.__func__
    between = mro[: mro.index(owner) + 1]  # cls's classes that have the attribute from `owner`
    documented = next((name for base in between if (name := _public_name(base)) in api_urls.INHERITED_MEMBERS), None)
    public = documented or _public_name(owner) or next(filter(None, (_public_name(base) for base in between)), None)
    return _Object(value, f"{public}.{attribute}") if public else None


def _public_name(value) -> str | None:
    """The shortest importable dotted path to `value` (torch.nn.Conv2d for torch.nn.modules.conv.Conv2d)."""
    tensor = _tensor_class()
    if tensor is not None and value is tensor.__mro__[1]:  # torch._C.TensorBase: documented as torch.Tensor
        return "torch.Tensor"
    module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if not module or not name or "<" in name:
        return None
    if module == "builtins":
        return f"builtins.{name}"
    parts = module.split(".")
    for length in range(1, len(parts) + 1):
        prefix = ".".join(parts[:length])
        holder = sys.modules.get(prefix)
        found = holder
        for part in name.split("."):
            found = getattr(found, part, None)
        if found is value and not any(part.startswith("_") for part in prefix.split(".")):
            return f"{prefix}.{name}"
    return None


def _tensor_class() -> type | None:
    torch = sys.modules.get("torch")
    return getattr(torch, "Tensor", None)


def _is_tensor(kind: _Kind) -> bool:
    tensor = _tensor_class()
    return tensor is not None and isinstance(kind, _Instance) and issubclass(kind.cls, tensor)


# -- what the tooltip says --------------------------------------------------------------------------
def _signature(value, name: str) -> str:
    """`torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, …)`, of the installed
    version; for a builtin without one, the signature its docstring starts with; for a value, its type."""
    shown = name.removeprefix("builtins.")
    if not callable(value):
        return f"{shown}: {_public_name(type(value)) or type(value).__name__}"
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        first = (getattr(value, "__doc__", None) or "").strip().split("\n", 1)[0]
        match = re.match(r"\w+\(([^()]*)\)", first)
        if match is None or not callable(value):
            return shown
        parameters = [part.strip() for part in match.group(1).split(",") if part.strip()]
    else:
        parameters = [
            _parameter(parameter) for parameter in signature.parameters.values() if parameter.name not in ("self", "cls")
        ]
        parameters = _with_markers(parameters, signature)
    if len(parameters) > MAX_PARAMETERS:
        parameters = [*parameters[:MAX_PARAMETERS], "…"]
    return f"{shown}({', '.join(parameters)})"


def _parameter(parameter: inspect.Parameter) -> str:
    prefixes: dict[inspect._ParameterKind, str] = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    prefix = prefixes.get(parameter.kind, "")
    if parameter.default is inspect.Parameter.empty:
        return prefix + parameter.name
    return f"{parameter.name}={parameter.default!r}"


def _with_markers(shown: list[str], signature: inspect.Signature) -> list[str]:
    """Insert `*` before the first keyword-only parameter, as Python prints signatures."""
    kinds = [p.kind for p in signature.parameters.values() if p.name not in ("self", "cls")]
    if inspect.Parameter.KEYWORD_ONLY in kinds and inspect.Parameter.VAR_POSITIONAL not in kinds:
        at = kinds.index(inspect.Parameter.KEYWORD_ONLY)
        return [*shown[:at], "*", *shown[at:]]
    return shown


SIGNATURE_LINE = re.compile(r"\w+\([^()]*\)")
ROLE = re.compile(r":[\w:]+:`~?(?:[^`<]*<)?([^`>]+)>?`")


def _summary(value) -> str:
    """The docstring's first sentence-line, without reStructuredText's markup."""
    doc = inspect.getdoc(value) or ""
    paragraphs = [part.strip() for part in doc.split("\n\n") if part.strip()]
    if paragraphs and SIGNATURE_LINE.match(paragraphs[0]):
        paragraphs = paragraphs[1:]  # a builtin's docstring starts with its signature(s)
    if not paragraphs or paragraphs[0].endswith(":") or paragraphs[0].startswith(">>>"):  # code, not a summary
        return ""
    text = " ".join(paragraphs[0].split())
    text = ROLE.sub(lambda match: match.group(1).rsplit(".", 1)[-1], text).replace("``", "")
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1].rstrip() + "…"
