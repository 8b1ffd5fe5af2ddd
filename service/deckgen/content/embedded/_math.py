"""TeX math as slide text: `$2^{-52} \\times x_i \\le \\frac{a}{b}$` -> "2⁻⁵² × x_i ≤ a/b".

A slide has no math typesetting, and raw TeX (`\\times`, `^{…}`) is markup the audience cannot
read. The common commands become the characters they typeset, a superscript of digits and signs
becomes superscript characters, a fraction "a/b", text commands their text, and anything else its
name without the backslash. One pass over the formula, whatever it holds: groups nested deeper
than `_DEEPEST` are read flat, so hostile nesting costs no more than its length.
"""

# The tables hold the characters TeX typesets, Greek and mathematical look-alikes of Latin letters:
# ruff: noqa: RUF001, RUF002
from __future__ import annotations

import re

__all__ = ["tex_text"]

_SYMBOLS = {
    # operators and relations
    "times": "×", "cdot": "·", "div": "÷", "pm": "±", "mp": "∓", "ast": "*", "star": "⋆",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
    "equiv": "≡", "sim": "~", "simeq": "≃", "propto": "∝", "ll": "≪", "gg": "≫",
    "lt": "<", "gt": ">", "mid": "|", "vert": "|", "Vert": "‖", "parallel": "‖", "perp": "⊥",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "Rightarrow": "⇒",
    "Leftarrow": "⇐", "leftrightarrow": "↔", "Leftrightarrow": "⇔", "iff": "⇔", "implies": "⇒",
    "mapsto": "↦", "uparrow": "↑", "downarrow": "↓",
    "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃",
    "supseteq": "⊇", "cup": "∪", "cap": "∩", "emptyset": "∅", "varnothing": "∅", "setminus": "∖",
    "forall": "∀", "exists": "∃", "neg": "¬", "lnot": "¬", "land": "∧", "wedge": "∧", "lor": "∨",
    "vee": "∨", "oplus": "⊕", "otimes": "⊗", "circ": "∘", "bullet": "•",
    "sum": "∑", "prod": "∏", "int": "∫", "oint": "∮", "partial": "∂", "nabla": "∇", "infty": "∞",
    "sqrt": "√", "angle": "∠", "degree": "°", "prime": "′", "hbar": "ħ", "ell": "ℓ",
    "ldots": "…", "dots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "langle": "⟨", "rangle": "⟩",
    "lbrace": "{", "rbrace": "}", "backslash": "\\",
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ",
    "Omega": "Ω",
    # spacing
    "quad": " ", "qquad": " ", ",": " ", ";": " ", ":": " ", ">": " ", " ": " ", "!": "",
    "\\": " ",
}  # fmt: skip
_ESCAPED = set("{}%$&#_")
"""`\\{` and the like are the character itself."""
_TEXT = frozenset(
    {
        "text",
        "textrm",
        "textit",
        "textbf",
        "textsf",
        "texttt",
        "mathrm",
        "mathit",
        "mathbf",
        "mathsf",
        "mathtt",
        "mathcal",
        "mathbb",
        "mathfrak",
        "boldsymbol",
        "bm",
        "operatorname",
        "mbox",
        "hbox",
        "emph",
        "overline",
        "underline",
        "bar",
        "hat",
        "tilde",
        "vec",
        "dot",
        "ddot",
        "widehat",
        "widetilde",
        "overrightarrow",
    }
)
"""Commands whose argument is shown as it is (the accent or the face is lost, the letter is kept)."""
_FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
_BINOMIALS = frozenset({"binom", "dbinom", "tbinom"})
_DROPPED = frozenset(
    {
        "left",
        "right",
        "big",
        "Big",
        "bigg",
        "Bigg",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "biggl",
        "biggr",
        "middle",
        "displaystyle",
        "textstyle",
        "scriptstyle",
        "limits",
        "nolimits",
        "nonumber",
        "notag",
        "label",
    }
)
"""Sizing and layout commands: a slide shows what they wrap, not them."""
_SUPERSCRIPT = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPT = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
_SUPERSCRIPTABLE = frozenset("0123456789+-−=()ni")
_SUBSCRIPTABLE = frozenset("0123456789+-−=()")
_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|[{}^_]|\s+|[^\\{}^_\s]", re.DOTALL)
_DEEPEST = 16
_SPACES = re.compile(r"\s+")
_SPACED = frozenset("=<>≤≥≠≈≡×·÷±→←⇒⇔∈∉⊂⊆")
"""Relations and operators, spaced as typeset ("a=b" reads "a = b") outside scripts and groups."""


def tex_text(formula: str) -> str:
    """The text a reader of `formula` (TeX math, without its `$` delimiters) sees, on one line."""
    tokens = _TOKEN.findall(formula)
    text, _ = _read(tokens, 0, 0, False)
    return _SPACES.sub(" ", text).strip()


def _read(tokens: list[str], at: int, depth: int, grouped: bool) -> tuple[str, int]:
    """The text of `tokens` from `at` up to the end of the group (when `grouped`) or of the formula,
    and the index after it."""
    out: list[str] = []
    while at < len(tokens):
        token = tokens[at]
        if token == "}":
            if grouped:
                return "".join(out), at + 1
            at += 1
        elif token == "{":
            if depth >= _DEEPEST:
                at += 1  # read flat: its closing brace ends the group it is in, no deeper
            else:
                text, at = _read(tokens, at + 1, depth + 1, True)
                out.append(text)
        elif token in ("^", "_"):
            argument, at = _argument(tokens, at + 1, depth)
            # A script is set against what it belongs to ("base ^ {e}", "\\log_2").
            while out and out[-1].isspace():
                out.pop()
            if out:
                out[-1] = out[-1].rstrip()
            out.append(_script(argument, superscript=token == "^"))
        else:
            if token.startswith("\\"):
                text, at = _command(tokens, at, depth)
            else:
                text, at = (" " if token.isspace() else token), at + 1
            out.append(f" {text} " if depth == 0 and text in _SPACED else text)
    return "".join(out), at


def _argument(tokens: list[str], at: int, depth: int) -> tuple[str, int]:
    """A command's or a script's argument: a group, a command, or one character."""
    while at < len(tokens) and tokens[at].isspace():
        at += 1
    if at >= len(tokens):
        return "", at
    token = tokens[at]
    if token == "{":
        if depth >= _DEEPEST:
            return "", at + 1
        return _read(tokens, at + 1, depth + 1, True)
    if token.startswith("\\"):
        if depth >= _DEEPEST:  # `\sqrt\sqrt\sqrt…` nests as groups do
            return _SYMBOLS.get(token[1:], token[1:]), at + 1
        return _command(tokens, at, depth + 1)
    if token in ("}", "^", "_"):
        return "", at
    return token, at + 1


def _command(tokens: list[str], at: int, depth: int) -> tuple[str, int]:
    name = tokens[at][1:]
    at += 1
    if name in _FRACTIONS or name in _BINOMIALS:
        top, at = _argument(tokens, at, depth)
        bottom, at = _argument(tokens, at, depth)
        if name in _BINOMIALS:
            return f"C({top.strip()}, {bottom.strip()})", at
        return f"{_operand(top)}/{_operand(bottom)}", at
    if name == "sqrt":
        if at < len(tokens) and tokens[at] == "[":
            # The root's degree, as a power: "3√8" would read as a product.
            degree: list[str] = []
            at += 1
            while at < len(tokens) and tokens[at] != "]":
                degree.append(tokens[at])
                at += 1
            root, at = _argument(tokens, at + 1, depth)
            return f"{_operand(root)}^(1/{''.join(degree).strip()})", at
        root, at = _argument(tokens, at, depth)
        return f"√{_operand(root)}", at
    if name in _TEXT:
        return _argument(tokens, at, depth)
    if name in _DROPPED:
        # `\left.` opens a pair with no visible delimiter.
        if name in ("left", "right", "middle") and at < len(tokens) and tokens[at] == ".":
            at += 1
        return "", at
    if name in _SYMBOLS:
        return _SYMBOLS[name], at
    if len(name) == 1 and name in _ESCAPED:
        return name, at
    # Function names (`\log`, `\max`, `\sin`) and anything unknown: the name, as a word.
    return (f"{name} " if name.isalpha() else name), at


def _operand(text: str) -> str:
    """`text` as one side of a fraction or under a root: bracketed when it is more than one term."""
    text = text.strip()
    if len(text) <= 1 or text.replace(".", "").isalnum() or (text[0] == "(" and text[-1] == ")"):
        return text
    return f"({text})"


def _script(argument: str, superscript: bool) -> str:
    """A superscript or subscript: in script characters when each has one, else written out as
    `^` or `_` with the argument (bracketed when it is more than one term)."""
    argument = _SPACES.sub("", argument) if len(argument) <= 12 else argument.strip()
    if not argument:
        return ""
    if superscript and argument == "\u2032":  # f^\prime
        return argument
    allowed = _SUPERSCRIPTABLE if superscript else _SUBSCRIPTABLE
    if all(char in allowed for char in argument):
        return argument.translate(_SUPERSCRIPT if superscript else _SUBSCRIPT)
    return ("^" if superscript else "_") + _operand(argument)
