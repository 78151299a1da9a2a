"""python -m cxdata.i18n update | check: keep the catalogs in step with the source."""
import sys

from cxdata.i18n import DOMAINS
from cxdata.i18n.catalogs import problems, update


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    domains = argv[1:] or list(DOMAINS)
    if command == "update":
        for domain in domains:
            update(domain)
        command = "check"
    if command == "check":
        found = [line for domain in domains for line in problems(domain)]
        print("\n".join(found) if found else "every catalog is complete")
        return 1 if found else 0
    print("usage: python -m cxdata.i18n update|check [DOMAIN ...]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
