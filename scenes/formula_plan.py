"""The network (or its loss) written out as one expression, as LaTeX tokens ready to be typed.

Built from a trace step's graph, not from the architecture, so any recorded network works: the
expression of a node is its op applied to the expressions of its inputs, sums flattened, `a + b*-1`
shown as `a - b`. Labels are data: every label goes through `latex_label`, which lets nothing through
that LaTeX would interpret. No manim here: scenes turn the tokens into glyphs.
"""

import re
from dataclasses import dataclass, field, replace

from nnanim.engine.labels import is_parameter, neuron_output, split
from nnanim.engine.numbers import latex
from nnanim.engine.value import power_of
from nnanim.errors import NnanimError

GLYPH_LIMIT = 8000  # about 100 lines at a readable size; more cannot be followed on a slide
DEPTH_LIMIT = 200
_NUMBER = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,12})?([eE][-+]?[0-9]{1,3})?")
FUNCTIONS = {"tanh": r"\tanh", "exp": r"\exp", "log": r"\log", "relu": r"\mathrm{relu}"}
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
                 "&": r"\&", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}
_DELIMITERS = ["", r"\bigl", r"\Bigl", r"\biggl", r"\Biggl"]


class FormulaTooLarge(NnanimError, ValueError):
    """The expression has more symbols than can be typed out readably."""


@dataclass
class Token:
    """A piece of LaTeX: how many glyphs it draws, which term it belongs to, and whether a line may
    break after it."""

    tex: str
    glyphs: int
    term: int = 0
    breaks: bool = False
    layer: int = -1  # the layer of the neuron whose expression it writes; -1: heads, inputs, targets
    network: bool = False  # inside a loss: part of the network's output, set apart from the targets


@dataclass
class Formula:
    """Lines of tokens; `latex()` is one align* body with a row per line."""

    lines: list = field(default_factory=list)

    @property
    def glyphs(self):
        return sum(t.glyphs for line in self.lines for t in line)

    def latex(self, gap=0.0):
        """The align* body; `gap` ems of extra space between rows."""
        newline = rf" \\[{gap:.2f}em] " if gap > 0 else r" \\ "
        return newline.join(" ".join(t.tex for t in line) for line in self.lines)

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
    layer: int = -1  # the layer of the innermost neuron around it; -1 outside any (and for inputs)
    neuron: bool = False  # the output of a neuron (`h_jl`): what the structure view folds
    network: bool = False  # the network's output inside a loss


def expanded_size(graph, root):
    """Nodes in the fully expanded tree of `root` (shared nodes count once per use)."""
    size = [1] * (root + 1)
    for i in range(root + 1):
        size[i] = 1 + sum(size[j] for j in graph.inputs(i))
    return size[root]


def expression(graph, data, root, substitute=None):
    """The expression tree of node `root`; `substitute(i)` may give a number to show for leaf i. Each
    node knows the layer of the neuron it belongs to (from the `h_jl` labels), so that scenes can colour
    the nesting; inputs belong to none."""

    def build(i, depth, layer):
        if depth > DEPTH_LIMIT:
            raise FormulaTooLarge(f"the expression is nested more than {DEPTH_LIMIT} deep")
        op, label = graph.ops[i], graph.labels[i]
        where = neuron_output(label) if label else None
        if where is not None:
            layer = where[1]
        if not op:
            if label and not is_parameter(label):
                layer = -1  # data, not the network
            shown = substitute(i) if substitute else None
            if shown is not None:
                return Expr("const", value=shown, layer=layer)
            return Expr("leaf", label=label, layer=layer) if label else Expr("const", value=float(data[i]), layer=layer)
        kids = [build(j, depth + 1, layer) for j in graph.inputs(i)]
        neuron = where is not None
        if op == "+":
            terms, signs = [], []
            for kid in kids:
                parts = list(zip(kid.children, kid.signs)) if kid.kind == "sum" and not kid.neuron else [(kid, 1)]
                for term, sign in parts:
                    term, flip = _without_minus_one(term)
                    terms.append(term)
                    signs.append(sign * flip)
            return Expr("sum", terms, signs=signs, layer=layer, neuron=neuron)
        if op == "*":
            factors = [f for kid in kids for f in (kid.children if kid.kind == "prod" and not kid.neuron else [kid])]
            return Expr("prod", factors, layer=layer, neuron=neuron)
        if power_of(op) is not None:
            return Expr("pow", kids, name=power_of(op), layer=layer, neuron=neuron)
        return Expr("func", kids, name=op, layer=layer, neuron=neuron)

    return build(root, 0, -1)


def _without_minus_one(term):
    """(t, -1) for t * -1, for -0.25 * t and for -0.25, so that sums read `a - t`, `a - 0.25 t`."""
    if term.kind == "const" and term.value < 0:
        return replace(term, value=-term.value), -1
    if term.kind == "prod" and not term.neuron and any(_negative(f) for f in term.children):
        k = next(k for k, f in enumerate(term.children) if _negative(f))
        factors = list(term.children)
        if factors[k].value == -1:
            del factors[k]
        else:
            factors[k] = replace(factors[k], value=-factors[k].value)
        factors.sort(key=lambda f: f.kind != "const")
        return (factors[0] if len(factors) == 1 else replace(term, children=factors)), -1
    return term, 1


# ----- the structure: the first neuron of each layer written out, the others folded
FOLDED_TERMS = 5  # a folded sum longer than this shows its first two and last two terms


def fold(e, path=True):
    """`e` with every neuron folded to `tanh(⋯)` except the first one inside each neuron written out:
    one path from the output down to the inputs shows how the layers nest, in a few lines. Without
    `path`, every neuron inside `e` is folded."""
    expanded = not path

    def walk(x):
        nonlocal expanded
        if x.neuron and x is not e:
            if expanded:
                return _folded(x)
            expanded = True
            return fold(x)
        children = [walk(c) for c in x.children]
        signs = x.signs
        if x.kind == "sum" and len(children) > FOLDED_TERMS:
            children = children[:2] + [Expr("dots", layer=x.layer)] + children[-2:]
            signs = signs[:2] + [1] + signs[-2:]
        return replace(x, children=children, signs=signs)

    return walk(e)


def _folded(neuron):
    """A neuron as `f(⋯)` (or `(⋯)` without an activation), in its layer."""
    dots = Expr("dots", layer=neuron.layer)
    if neuron.kind == "func":
        return Expr("func", [dots], name=neuron.name, layer=neuron.layer)
    return Expr("sum", [dots], signs=[1], layer=neuron.layer)


# ----- tokens
class _Emitter:
    """Tokens of an expression, each in its term and layer. Records where each neuron's expression
    starts (inside its parenthesis) and ends: the structure view breaks its lines there."""

    def __init__(self, largest=len(_DELIMITERS) - 1):
        self.largest = largest  # the largest parenthesis size (an index of _DELIMITERS)
        self.tokens = []
        self.terms = 0
        self.network = False
        self.neurons = []  # (first token inside the neuron's parenthesis, token after it), innermost first
        self._inside = {}

    def emit(self, tex, glyphs, term, layer, breaks=False):
        self.tokens.append(Token(tex, glyphs, term, breaks, layer, self.network))

    def new_term(self):
        self.terms += 1
        return self.terms

    def expr(self, e, term):
        outer, start = self.network, len(self.tokens)
        self.network = outer or e.network
        self._write(e, term)
        if e.neuron:
            self.neurons.append((self._inside.pop(id(e), start), len(self.tokens)))
        self.network = outer

    def _write(self, e, term):
        kind, layer = e.kind, e.layer
        if kind == "leaf":
            self.emit(latex_label(e.label), label_glyphs(e.label), term, layer)
        elif kind == "const":
            tex = latex(e.value)
            self.emit(tex, number_glyphs(tex), term, layer)
        elif kind == "dots":
            self.emit(r"\cdots", 3, term, layer)
        elif kind == "sum":
            for k, (child, sign) in enumerate(zip(e.children, e.signs)):
                sub = self.new_term()
                if k or sign < 0:
                    self.emit("+" if sign > 0 else "-", 1, sub, layer)
                self.expr(child, sub)
                if k < len(e.children) - 1:
                    self.tokens[-1].breaks = True
        elif kind == "prod":
            for k, child in enumerate(e.children):
                if k:
                    juxtaposed = _simple(e.children[k - 1]) and child.kind in ("leaf", "func")
                    self.emit(r"\," if juxtaposed else r"\cdot", 0 if juxtaposed else 1, term, layer)
                self.child(e, child, term)
        elif kind == "pow":
            self.child(e, e.children[0], term)
            exponent = e.name if _NUMBER.fullmatch(e.name) else latex_text(e.name)
            self.emit(f"^{{{exponent}}}", number_glyphs(e.name), term, layer)
        else:
            self.emit(FUNCTIONS.get(e.name) or latex_text(e.name), len(e.name), term, layer)
            self.child(e, e.children[0], term)

    def child(self, parent, e, term):
        if not _wrapped(parent, e):
            self.expr(e, term)
            return
        size = _DELIMITERS[min(_levels(e), self.largest)]
        self.emit(f"{size}(", 1, term, parent.layer)
        self._inside.setdefault(id(parent), len(self.tokens))
        self.expr(e, term)
        self.emit(f"{size[:-1]}r)" if size else ")", 1, term, parent.layer)


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
    return _emitted(e).tokens


def _emitted(e, largest=len(_DELIMITERS) - 1):
    emitter = _Emitter(largest)
    emitter.expr(e, emitter.new_term())
    return emitter


def lay_out(heads, bodies, per_line):
    """Lines of about `per_line` glyphs at most: each body starts on a new line after its head
    (`MLP(x, y, z)_0 &=`), or below it when the head is long; continuation lines are indented, and lines
    break only after + or -."""
    formula = Formula()
    for head, body in zip(heads, bodies):
        line, count = list(head), sum(t.glyphs for t in head)
        for chunk in _chunks(body):
            size = sum(t.glyphs for t in chunk)
            if count + size > per_line and count > 0:
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


def _head(name, labels, sub=None):
    """`&\\mathrm{MLP}(x, y, z)_{0} =` for the labels of the arguments, with the glyphs it draws."""
    glyphs = len(name) + 2 + sum(label_glyphs(a) for a in labels) + max(len(labels) - 1, 0)
    sub_tex = f"_{{{sub}}}" if sub is not None else ""
    head = rf"&\mathrm{{{name}}}({', '.join(_args(labels))}){sub_tex} ="
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


def _mlp_parts(step, trace, values, output):
    """The heads (`MLP(x, y, z)_k =`) and expressions of the network's outputs (or of the graph's root)."""
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
    heads, exprs = [], []
    for root, k in zip(roots, names):
        if outputs:
            heads.append(_head("MLP", inputs, k))
        else:
            label = graph.labels[root] or "L"
            heads.append([Token("&" + latex_label(label) + " =", label_glyphs(label) + 1)])
        exprs.append(expression(graph, step.data, root, subst))
    return heads, exprs


def mlp_formula(step, trace=None, values=False, output=None, per_line=60):
    """MLP(x, y, z)_k = ... for every output k (or just `output`), from one step's graph."""
    heads, exprs = _mlp_parts(step, trace, values, output)
    formula = lay_out(heads, [tokens_of(e) for e in exprs], per_line)
    check_size(formula.glyphs, "formula")
    return formula


def mlp_structure(step, trace=None, values=False, output=None, head_inline=True, outer=None):
    """The formula folded (`fold`): the first output written with the first neuron of each layer, its
    lines stepping out one layer at a time; each further output with every neuron folded (they are the
    same neurons), no wider than the first line. With `outer` (glyphs a line), every output is its own
    neuron with every neuron inside folded: the fewest lines. None when the graph has no neurons (`h_jl`)
    to fold."""
    heads, exprs = _mlp_parts(step, trace, values, output)
    if not any(e.neuron for e in exprs):
        return None
    formula, widest = Formula(), outer
    for k, (head, e) in enumerate(zip(heads, exprs)):
        first = list(head) if head_inline else [Token(r"&\qquad", 0)]
        formula.lines += [] if head_inline else [list(head)]
        if k or outer:  # the next outputs read the same neurons: folded, no wider than the first
            formula.lines += _staircase(first, fold(e, path=False), widest)
        else:
            lines = _staircase(first, fold(e))
            widest = _widest(lines[:1])
            formula.lines += lines
    return formula


def _staircase(first, e, per_line=None):
    """Lines of a folded expression: the first runs from `first` down to the innermost neuron's end;
    each next one finishes the neuron around it, indented to where that neuron's parenthesis opened.
    Parentheses that open and close on different lines are all one size (`\\bigl(`): rows stay close.
    A single neuron with everything inside folded is wrapped at about `per_line` glyphs instead."""
    emitter = _emitted(e, largest=1)
    tokens, neurons = emitter.tokens, emitter.neurons
    if not neurons:
        return [first + tokens]

    def indent(inside):
        before = " ".join(t.tex for t in first + tokens[:inside]).removeprefix("&")
        return Token(r"&\phantom{{}%s}" % before, 0)  # {}: a leading + spaced as in the line it copies

    if len(neurons) == 1 and per_line:
        inside = neurons[0][0]
        lines = lay_out([first + tokens[:inside]], [tokens[inside:]], per_line).lines
        return lines[:1] + [[indent(inside)] + line[1:] for line in lines[1:]]
    end = neurons[0][1]
    lines = [first + tokens[:end]]
    for inside, stop in neurons[1:]:
        lines.append([indent(inside)] + tokens[end:stop])
        end = stop
    lines[-1] += tokens[end:]
    return lines


def _widest(lines):
    return max(sum(t.glyphs for t in line) for line in lines)


def loss_formula(step, trace=None, values=False, per_line=60):
    """LOSS(inputs, parameters, targets) = sum over outputs of (MLP_k - gt_k)^2 for one example."""
    parts = _loss_parts(step, trace, values)
    if parts is None:
        return mlp_formula(step, trace, values, per_line=per_line)
    head, terms = parts
    formula = lay_out([head], [tokens_of(Expr("sum", terms, signs=[1] * len(terms)))], per_line)
    check_size(formula.glyphs, "loss formula")
    return formula


def loss_structure(step, trace=None, values=False):
    """The loss folded: the head on a line of its own, then (MLP_0 - gt_0)^2 as a staircase and each
    further (MLP_k - gt_k)^2 folded (`mlp_structure`); None without neurons."""
    parts = _loss_parts(step, trace, values)
    if parts is None:
        return mlp_structure(step, trace, values)
    head, terms = parts
    formula = Formula([head])
    for k, term in enumerate(terms):
        first = [Token(r"&\qquad", 0)] + ([Token("+", 1)] if k else [])
        net, gt = term.children[0].children
        folded = replace(term, children=[replace(term.children[0], children=[fold(net, path=not k), gt])])
        lines = _staircase(first, folded, _widest(formula.lines[1:2]) if k else None)
        formula.lines += lines
    return formula


def _loss_parts(step, trace, values):
    """The head `LOSS(inputs, parameters, targets) =` and the terms (MLP_k - gt_k)^2; None without outputs."""
    graph = step.graph
    outputs = network_outputs(graph)
    params = _parameters(step, trace)
    if not outputs:
        return None
    check_size(sum(expanded_size(graph, r) for r in outputs) * 3, "loss formula")
    subst = _substitution(step, trace, values)
    targets = [f"gt_{k}" for k in range(len(outputs))]
    terms = [Expr("pow", [Expr("sum", [replace(expression(graph, step.data, r, subst), network=True),
                                       Expr("leaf", label=gt)], signs=[1, -1])], name="2")
             for r, gt in zip(outputs, targets)]
    inputs = _inputs_of(graph, outputs, set(params))
    shown_params = [] if values else [p for p in params if p]
    if len(shown_params) > 3:
        shown_params = shown_params[:2] + [r"\ldots"] + shown_params[-1:]
    args = _args(inputs) + [p if p == r"\ldots" else latex_label(p) for p in shown_params] + _args(targets)
    head = _head("LOSS", [], None)
    head[0].tex = rf"&\mathrm{{LOSS}}({', '.join(args)}) ="
    head[0].glyphs = 4 + 2 + sum(label_glyphs(a) for a in inputs + targets) \
        + sum(3 if p == r"\ldots" else label_glyphs(p) for p in shown_params) + len(args) - 1 + 1
    return head, terms
