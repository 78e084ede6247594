"""The baseline of ``make bench``: a bare Flask + Jinja page of about the size of the site's
pages (a layout, a navigation bar, a table), no database, served by gunicorn the same way."""

from __future__ import annotations

from flask import Flask, render_template_string

app = Flask(__name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/site.css"></head>
<body><nav><ul>{% for item in nav %}<li><a href="/{{ item }}">{{ item|title }}</a></li>{% endfor %}</ul></nav>
<main><h1>{{ title }}</h1>
<table><thead><tr><th>Date</th><th>What</th><th>Amount</th></tr></thead><tbody>
{% for row in rows %}<tr><td>{{ row.date }}</td><td>{{ row.what }}</td><td>{{ "%.2f"|format(row.amount) }}</td></tr>
{% endfor %}</tbody></table></main></body></html>"""

NAV = ["automotive", "banking", "education", "government", "health", "retail"]
ROWS = [
    {
        "date": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "what": f"Item number {n}",
        "amount": n * 1.5,
    }
    for n in range(120)
]


@app.get("/")
def page():
    """One page: a layout, a list and a table, rendered by Jinja."""
    return render_template_string(PAGE, title="Baseline", nav=NAV, rows=ROWS)
