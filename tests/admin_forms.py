"""Submit an admin form the way a browser does: every field as rendered, then the changes."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.data = {}
        self._textarea = None
        self._select = None

    def _add(self, name, value):
        if not name or "__prefix__" in name:
            return
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self._add(attrs.get("name"), attrs.get("value") or "on")
                return
            self._add(attrs.get("name"), attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea = attrs.get("name")
            self._add(self._textarea, "")
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value") or "")

    def handle_data(self, data):
        # An inline's empty form (``__prefix__``) is left out: its texts too.
        if self._textarea in self.data and self.in_form:
            values = self.data[self._textarea]
            values[-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea":
            if self._textarea in self.data:
                # Browsers drop the newline that follows <textarea>.
                values = self.data[self._textarea]
                values[-1] = values[-1].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None


def admin_form_data(response, **changes) -> dict:
    """Return the POST data of the admin form in ``response``, with ``changes`` applied."""
    model_name = response.context["opts"].model_name
    parser = _FormFields(f"{model_name}_form")
    parser.feed(response.content.decode())
    data = {name: values if len(values) > 1 else values[0] for name, values in parser.data.items()}
    return data | changes
