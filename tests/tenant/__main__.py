"""``python -m tests.tenant [--paging pages|none] [--service-ms N] [--rate N|off]``: serve it by hand.

Prints the variables that point the suite at it, then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import time

from tests.tenant.app import TenantOptions
from tests.tenant.server import running_tenant


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.tenant", description=__doc__)
    parser.add_argument("--paging", choices=("pages", "none"), default="pages")
    parser.add_argument("--service-ms", type=float, default=0.0)
    parser.add_argument("--rate", default="10", help="requests/s, or off")
    parser.add_argument("--job-in", choices=("location", "body"), default="location")
    parser.add_argument("--invalid-in-file", choices=("fail", "skip"), default="fail")
    args = parser.parse_args()
    options = TenantOptions(
        paging=args.paging, service_seconds=args.service_ms / 1000,
        rate_limit=None if args.rate == "off" else float(args.rate), job_in=args.job_in,
        invalid_in_file=args.invalid_in_file,
    )
    with running_tenant(options) as tenant:
        for name, value in tenant.environ().items():
            print(f"export {name}={value}")
        print(f"# stats: {tenant.root}/_tenant/stats", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
