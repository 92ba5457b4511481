"""The site's pages in reading order, for the menu on each of them."""

from django.urls import NoReverseMatch, reverse

# The pages a student moves between, in reading order: (URL name, title). A topic whose app is not
# mounted (the lab exists only with DEBUG on loopback) is left out of the menu.
TOPICS = [
    ("landing", "Overview"),
    ("step-by-step", "One request, step by step"),
    ("account-events", "When the account changes"),
    ("stolen-database", "What a stolen database gives"),
    ("choose", "When to choose which scheme"),
    ("lab", "The browser lab"),
    ("outages", "When a service is down"),
    ("costs", "What it costs: algorithms, where the time goes"),
    ("race", "The race"),
]


def menu(current):
    items = []
    for name, title in TOPICS:
        try:
            items.append({"url": reverse(name), "title": title, "current": name == current})
        except NoReverseMatch:
            continue
    return items
