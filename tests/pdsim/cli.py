"""Command line of the simulator."""

import argparse
import signal
import sys
import threading

from .server import build_simulator, make_server


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="pdsim", description="A stateful PagerDuty simulator (REST API v2 and "
                                     "Events API v2) that validates requests against PagerDuty's OpenAPI documents.")
    parser.add_argument("--port", type=int, default=8580, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--seed", help="seed file (JSON) replacing the default account")
    parser.add_argument("--extra-users", type=int, default=0, help="add this many generated users (scale tests)")
    parser.add_argument("--openapi-dir", help="directory of PagerDuty's OpenAPI documents "
                        "(default: $PDSIM_OPENAPI_DIR or ../shared/pagerduty-api)")
    parser.add_argument("--require-validation", action="store_true",
                        help="refuse to start when the OpenAPI documents cannot be found")
    parser.add_argument("--rest-rate-limit", type=int, default=960,
                        help="REST requests per minute per user or account key (0: off, operation limits too)")
    parser.add_argument("--events-rate-limit", type=int, default=120,
                        help="Events API requests per minute per routing key (0: off)")
    parser.add_argument("--verbose", action="store_true", help="log each request (method, path, status) to stderr")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    simulator = build_simulator(openapi_dir=args.openapi_dir, seed_path=args.seed, extra_users=args.extra_users,
                                rest_rate_limit=args.rest_rate_limit, events_rate_limit=args.events_rate_limit,
                                require_validation=args.require_validation)
    server = make_server(args.port, simulator, verbose=args.verbose)
    port = server.server_address[1]

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("pdsim listening on http://127.0.0.1:%d (validation %s)"
          % (port, "on: " + simulator.contract.source if simulator.contract else "OFF"), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
