"""browser_lab's tables: the cells (namespace x attack) and the tutorial's claims, with a verdict each."""

from .attacks import ATTACK_NAMES, STORAGE_WORDS


def rows_of(result):
    """[(namespace, storage, {attack: cell})] in the order measured."""
    rows = {}
    for cell in result["cells"]:
        rows.setdefault((cell["namespace"], cell["storage"]), {})[cell["attack"]] = cell
    return [(ns, storage, cells) for (ns, storage), cells in rows.items()]


def word(cell):
    return "**succeeded**" if cell["outcome"] == "attacker succeeded" else "failed"


def claim_a_verdict(rows):
    lines = []
    for front_end in ("same-site", "cross-site"):
        mine = [r for r in rows if r["front_end"] == front_end and not r.get("write")]
        sent = [r["cookie"] for r in mine if r["sent"]]
        lines.append(f"{front_end} front end: " + (", ".join(sent) if sent else "no cookie") + " sent")
    return "; ".join(lines)


def claim_b_verdict(rows):
    works = [r["namespace"] for r in rows if r["works"]]
    fails = [r["namespace"] for r in rows if not r["works"]]
    if works and not fails:
        return f"false: a cookie-jar client logs in, reads me/ and writes with the CSRF token at {', '.join(works)}"
    return f"works at {', '.join(works) or 'none'}; fails at {', '.join(fails)}"


def as_markdown(result):
    lines = [
        "| namespace | kept in | " + " | ".join(ATTACK_NAMES) + " |",
        "|---|---|" + "---|" * len(ATTACK_NAMES),
    ]
    for ns, storage, cells in rows_of(result):
        outcomes = " | ".join(word(cells[attack]) if attack in cells else "–" for attack in ATTACK_NAMES)
        lines.append(f"| {ns} | {STORAGE_WORDS.get(storage, storage)} | {outcomes} |")
    claim_a = [r for r in result["claims"] if r["claim"] == "a"]
    claim_b = [r for r in result["claims"] if r["claim"] == "b"]
    lines += [
        "",
        "Claim (a), cookies and a front end on another origin: " + claim_a_verdict(claim_a) + ".",
        "",
        "| front end | cookie | kept by the browser | sent with the front end's request | detail |",
        "|---|---|---|---|---|",
    ]
    for r in (r for r in claim_a if not r.get("write")):
        sent = "sent" if r["sent"] else "not sent"
        lines.append(
            f"| {r['front_end']} | {r['cookie']} | {'yes' if r['kept'] else 'no'} | {sent} | {r.get('detail', '')} |"
        )
    lines += ["", "| front end | unsafe request | accepted | answer |", "|---|---|---|---|"]
    for r in (r for r in claim_a if r.get("write")):
        lines.append(f"| {r['front_end']} | {r['cookie']} | {'yes' if r['sent'] else 'no'} | {r['detail']} |")
    lines += [
        "",
        'Claim (b), "cookies are not available in mobile and desktop apps": ' + claim_b_verdict(claim_b) + ".",
        "",
        "| namespace | client | verdict | what it got |",
        "|---|---|---|---|",
    ]
    for r in claim_b:
        lines.append(f"| {r['namespace']} | {r['client']} | {'works' if r['works'] else 'fails'} | {r['detail']} |")
    return "\n".join(lines) + "\n"


def as_text(result):
    lines = []
    for cell in result["cells"]:
        lines.append(
            f"{cell['namespace']:<14} {cell['storage']:<13} {cell['attack']:<18} {cell['outcome']:<19} {cell['detail']}"
        )
    for r in result["claims"]:
        lines.append(f"claim ({r['claim']}) " + ", ".join(f"{k}={v}" for k, v in r.items() if k != "claim"))
    return "\n".join(lines) + "\n"
