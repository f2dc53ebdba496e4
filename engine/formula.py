"""The network (or its loss) written out as one expression, as LaTeX tokens ready to be typed.

Built from a trace step's graph, not from the architecture, so any recorded network works: the
expression of a node is its op applied to the expressions of its inputs, sums flattened, `a + b*-1`
shown as `a - b`. Labels are data: every label goes through `latex_label`, which lets nothing through
that LaTeX would interpret. No manim here: scenes turn the tokens into glyphs.
"""

import re
from dataclasses import dataclass, field

from nnanim.engine.labels import is_parameter, neuron_output, split
from nnanim.engine.numbers import latex

GLYPH_LIMIT = 8000  # about 100 lines at a readable size; more cannot be followed on a slide
DEPTH_LIMIT = 200
_NUMBER = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,12})?([eE][-+]?[0-9]{1,3})?")
FUNCTIONS = {"tanh": r"\tanh", "exp": r"\exp", "log": r"\log", "relu": r"\mathrm{relu}"}
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
                 "&": r"\&", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}
_DELIMITERS = ["", r"\bigl", r"\Bigl", r"\biggl", r"\Biggl"]


class FormulaTooLarge(ValueError):
    """The expression has more symbols than can be typed out readably."""


@dataclass
class Token:
    """A piece of LaTeX: how many glyphs it draws, which term it belongs to, and whether a line may
    break after it."""

    tex: str
    glyphs: int
    term: int = 0
    breaks: bool = False


@dataclass
class Formula:
    """Lines of tokens; `latex()` is one align* body with a row per line."""

    lines: list = field(default_factory=list)

    @property
    def glyphs(self):
        return sum(t.glyphs for line in self.lines for t in line)

    def latex(self):
        return r" \\ ".join(" ".join(t.tex for t in line) for line in self.lines)

    def line_glyphs(self):
        return [sum(t.glyphs for t in line) for line in self.lines]


# ----- labels and numbers
def latex_label(label):
    """A label as safe LaTeX: `w_012` -> w_{012}, `x` -> x, anything else as escaped upright text."""
    parts = split(label)
    if parts:
        name, sub = parts
        return (name if len(name) == 1 else rf"\mathrm{{{name}}}") + f"_{{{sub}}}"
    if re.fullmatch(r"[A-Za-z]", label):
        return label
    return latex_text(label)


def latex_text(text):
    """Any string as upright LaTeX text that can only print: specials escaped, non-ASCII as `?`, at most 40
    characters. A trace is untrusted, so nothing it holds reaches LaTeX unescaped."""
    text = "".join(_TEXT_ESCAPES.get(c, c) if 32 <= ord(c) < 127 else "?" for c in text[:40])
    return rf"\text{{{text}}}"


def label_glyphs(label):
    parts = split(label)
    if parts:
        return len(parts[0]) + len(parts[1])
    return sum(1 for c in label[:40] if c != " ")


def number_glyphs(tex):
    return sum(1 for c in re.sub(r"\\[a-z]+", "#", tex) if c not in "{} ^")


# ----- the expression tree
@dataclass
class Expr:
    kind: str  # leaf, const, sum, prod, func, pow
    children: list = field(default_factory=list)
    label: str = ""
    value: float = 0.0
    signs: list = field(default_factory=list)  # for sums: +1 / -1 per child
    name: str = ""  # func name or the exponent of a pow


def expanded_size(graph, root):
    """Nodes in the fully expanded tree of `root` (shared nodes count once per use)."""
    size = [1] * (root + 1)
    for i in range(root + 1):
        size[i] = 1 + sum(size[j] for j in graph.inputs(i))
    return size[root]


def expression(graph, data, root, substitute=None):
    """The expression tree of node `root`; `substitute(i)` may give a number to show for leaf i."""

    def build(i, depth):
        if depth > DEPTH_LIMIT:
            raise FormulaTooLarge(f"the expression is nested more than {DEPTH_LIMIT} deep")
        op, label = graph.ops[i], graph.labels[i]
        if not op:
            shown = substitute(i) if substitute else None
            if shown is not None:
                return Expr("const", value=shown)
            return Expr("leaf", label=label) if label else Expr("const", value=float(data[i]))
        kids = [build(j, depth + 1) for j in graph.inputs(i)]
        if op == "+":
            terms, signs = [], []
            for kid in kids:
                parts = list(zip(kid.children, kid.signs)) if kid.kind == "sum" else [(kid, 1)]
                for term, sign in parts:
                    term, flip = _without_minus_one(term)
                    terms.append(term)
                    signs.append(sign * flip)
            return Expr("sum", terms, signs=signs)
        if op == "*":
            factors = [f for kid in kids for f in (kid.children if kid.kind == "prod" else [kid])]
            return Expr("prod", factors)
        if op.startswith("**"):
            return Expr("pow", kids, name=op[2:])
        return Expr("func", kids, name=op)

    return build(root, 0)


def _without_minus_one(term):
    """(t, -1) for t * -1, for -0.25 * t and for -0.25, so that sums read `a - t`, `a - 0.25 t`."""
    if term.kind == "const" and term.value < 0:
        return Expr("const", value=-term.value), -1
    if term.kind == "prod" and any(_negative(f) for f in term.children):
        k = next(k for k, f in enumerate(term.children) if _negative(f))
        factors = list(term.children)
        if factors[k].value == -1:
            del factors[k]
        else:
            factors[k] = Expr("const", value=-factors[k].value)
        factors.sort(key=lambda f: f.kind != "const")
        return (factors[0] if len(factors) == 1 else Expr("prod", factors)), -1
    return term, 1


# ----- tokens
class _Emitter:
    def __init__(self):
        self.tokens = []
        self.terms = 0

    def emit(self, tex, glyphs, term, breaks=False):
        self.tokens.append(Token(tex, glyphs, term, breaks))

    def new_term(self):
        self.terms += 1
        return self.terms

    def expr(self, e, term):
        kind = e.kind
        if kind == "leaf":
            self.emit(latex_label(e.label), label_glyphs(e.label), term)
        elif kind == "const":
            tex = latex(e.value)
            self.emit(tex, number_glyphs(tex), term)
        elif kind == "sum":
            for k, (child, sign) in enumerate(zip(e.children, e.signs)):
                sub = self.new_term()
                if k or sign < 0:
                    self.emit("+" if sign > 0 else "-", 1, sub)
                self.expr(child, sub)
                if k < len(e.children) - 1:
                    self.tokens[-1].breaks = True
        elif kind == "prod":
            for k, child in enumerate(e.children):
                if k:
                    juxtaposed = _simple(e.children[k - 1]) and child.kind in ("leaf", "func")
                    self.emit(r"\," if juxtaposed else r"\cdot", 0 if juxtaposed else 1, term)
                self.child(e, child, term)
        elif kind == "pow":
            self.child(e, e.children[0], term)
            exponent = e.name if _NUMBER.fullmatch(e.name) else latex_text(e.name)
            self.emit(f"^{{{exponent}}}", number_glyphs(e.name), term)
        else:
            self.emit(FUNCTIONS.get(e.name) or latex_text(e.name), len(e.name), term)
            self.child(e, e.children[0], term)

    def child(self, parent, e, term):
        if not _wrapped(parent, e):
            self.expr(e, term)
            return
        size = _DELIMITERS[min(_levels(e), len(_DELIMITERS) - 1)]
        self.emit(f"{size}(", 1, term)
        self.expr(e, term)
        self.emit(f"{size[:-1]}r)" if size else ")", 1, term)


def _simple(e):
    return e.kind in ("leaf", "const") and not _negative(e)


def _negative(e):
    return e.kind == "const" and e.value < 0


def _wrapped(parent, child):
    """Whether child needs parentheses inside parent."""
    if parent.kind == "func":
        return True
    if parent.kind == "prod":
        return child.kind == "sum" or _negative(child)
    if parent.kind == "pow":
        return not _simple(child)
    return False


def _levels(e):
    """How many parentheses nest inside e: 0 gets plain ( ), 1 gets \\bigl( \\bigr), and so on."""
    return max((_levels(c) + _wrapped(e, c) for c in e.children), default=0)


def tokens_of(e):
    emitter = _Emitter()
    emitter.expr(e, emitter.new_term())
    return emitter.tokens


def lay_out(heads, bodies, per_line):
    """Lines of about `per_line` glyphs at most: each body starts on a new line after its head
    (`MLP(x, y, z)_0 &=`), continuation lines are indented, and lines break only after + or -."""
    formula = Formula()
    for head, body in zip(heads, bodies):
        line, count = list(head), sum(t.glyphs for t in head)
        for chunk in _chunks(body):
            size = sum(t.glyphs for t in chunk)
            if count + size > per_line and len(line) > 1:
                formula.lines.append(line)
                line, count = [Token(r"&\qquad", 0)], 0
            line.extend(chunk)
            count += size
        formula.lines.append(line)
    return formula


def _chunks(tokens):
    """Runs of tokens that end where a line may break."""
    chunk = []
    for token in tokens:
        chunk.append(token)
        if token.breaks:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def check_size(glyphs, what="formula", hint=""):
    if glyphs > GLYPH_LIMIT:
        raise FormulaTooLarge(f"the {what} has about {glyphs} symbols, more than {GLYPH_LIMIT} can be typed "
                              f"readably: use fewer or narrower layers{hint}")


# ----- the workshop's two formulas
def network_outputs(graph):
    """The MLP's outputs for the first example: the first h_jL of each neuron j of the last layer L."""
    found = {}
    for i, label in enumerate(graph.labels):
        where = neuron_output(label)
        if where is not None and graph.arity[i]:
            found.setdefault((where[1], where[0]), i)
    if not found:
        return []
    last = max(l for l, _ in found)
    return [found[(l, j)] for (l, j) in sorted(found) if l == last]


def _parameters(step, trace):
    """Labels of the parameters: the trace's (leaves that live on from step to step), or without a
    trace the leaves labelled as weights and biases."""
    if trace is not None:
        return list(trace.parameters)
    labels = step.graph.labels
    return list(dict.fromkeys(labels[i] for i in step.graph.leaf_list if is_parameter(labels[i])))


def _head(name, args, sub=None):
    tex_args = ", ".join(args)
    glyphs = len(name) + 2 + sum(label_glyphs(a) for a in args) + max(len(args) - 1, 0)
    sub_tex = f"_{{{sub}}}" if sub is not None else ""
    head = rf"&\mathrm{{{name}}}({tex_args}){sub_tex} ="
    return [Token(head, glyphs + (len(str(sub)) if sub is not None else 0) + 1)]


def _args(labels):
    return [latex_label(label) for label in labels]


def _substitution(step, trace, values):
    if not values:
        return None
    params = set(_parameters(step, trace))
    graph = step.graph
    return lambda i: float(step.data[i]) if graph.labels[i] in params else None


def _inputs_of(graph, roots, params):
    seen, order = set(), []
    stack = list(roots)
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        stack.extend(graph.inputs(i))
    for i in sorted(seen):
        if graph.arity[i] == 0 and graph.labels[i] and graph.labels[i] not in params:
            order.append(graph.labels[i])
    return list(dict.fromkeys(order))


def mlp_formula(step, trace=None, values=False, output=None, per_line=60):
    """MLP(x, y, z)_k = ... for every output k (or just `output`), from one step's graph."""
    graph = step.graph
    outputs = network_outputs(graph)
    params = set(_parameters(step, trace))
    if not outputs:
        roots, names = [graph.root], [None]
    else:
        if output is not None:
            if not 0 <= output < len(outputs):
                raise ValueError(f"--only-output {output} does not exist: the network has outputs 0-{len(outputs) - 1}")
            outputs = [outputs[output]]
        roots = outputs
        names = [output] if output is not None else list(range(len(outputs)))
    check_size(sum(expanded_size(graph, r) for r in roots) * 3, "formula",
               "" if output is not None or len(roots) < 2 else ", or --only-output K to show one output")
    inputs = _inputs_of(graph, roots, params)
    subst = _substitution(step, trace, values)
    heads, bodies = [], []
    for root, k in zip(roots, names):
        if outputs:
            heads.append(_head("MLP", _args(inputs), k))
        else:
            label = graph.labels[root] or "L"
            heads.append([Token("&" + latex_label(label) + " =", label_glyphs(label) + 1)])
        bodies.append(tokens_of(expression(graph, step.data, root, subst)))
    formula = lay_out(heads, bodies, per_line)
    check_size(formula.glyphs, "formula")
    return formula


def loss_formula(step, trace=None, values=False, per_line=60):
    """LOSS(inputs, parameters, targets) = sum over outputs of (MLP_k - gt_k)^2 for one example."""
    graph = step.graph
    outputs = network_outputs(graph)
    params = _parameters(step, trace)
    if not outputs:
        return mlp_formula(step, trace, values, per_line=per_line)
    check_size(sum(expanded_size(graph, r) for r in outputs) * 3, "loss formula")
    subst = _substitution(step, trace, values)
    targets = [f"gt_{k}" for k in range(len(outputs))]
    terms = [Expr("pow", [Expr("sum", [expression(graph, step.data, r, subst), Expr("leaf", label=gt)],
                                signs=[1, -1])], name="2") for r, gt in zip(outputs, targets)]
    inputs = _inputs_of(graph, outputs, set(params))
    shown_params = [] if values else [p for p in params if p]
    if len(shown_params) > 3:
        shown_params = shown_params[:2] + [r"\ldots"] + shown_params[-1:]
    args = _args(inputs) + [p if p == r"\ldots" else latex_label(p) for p in shown_params] + _args(targets)
    head = _head("LOSS", [], None)
    head[0].tex = rf"&\mathrm{{LOSS}}({', '.join(args)}) ="
    head[0].glyphs = 4 + 2 + sum(label_glyphs(a) for a in inputs + targets) \
        + sum(3 if p == r"\ldots" else label_glyphs(p) for p in shown_params) + len(args) - 1 + 1
    formula = lay_out([head], [tokens_of(Expr("sum", terms, signs=[1] * len(terms)))], per_line)
    check_size(formula.glyphs, "loss formula")
    return formula
