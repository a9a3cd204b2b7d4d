"""Errors about input that a user can fix: they carry file, line and field."""


class InputError(Exception):
    """Bad input (situation, scenario or rule file). The CLI prints it and exits 2."""

    def __init__(self, message, *, file=None, line=None, field=None, allowed=None):
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.allowed = list(allowed) if allowed else None
        super().__init__(self.describe())

    def describe(self):
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}"
        text = f"{where}: "
        if self.field:
            text += f"field '{self.field}': "
        text += self.message
        if self.allowed:
            text += " (allowed: " + ", ".join(str(a) for a in self.allowed) + ")"
        return text

    def to_dict(self):
        return {"file": self.file, "line": self.line, "field": self.field,
                "message": self.message, "allowed": self.allowed}


class InputErrors(InputError):
    """Several problems found in one pass (e.g. a rule file); all are reported."""

    def __init__(self, errors):
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.message, file=first.file, line=first.line,
                         field=first.field, allowed=first.allowed)

    def describe(self):
        return "\n".join(e.describe() for e in self.errors)
