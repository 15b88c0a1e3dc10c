#!/usr/bin/env python3
"""The departure feed draining a day's backlog: publishes a departures JSON-lines file to a
JetStream stream of its own (nats-py, every publish acknowledged), then starts
`docket departures consume` on it and times how long the consumer takes, from the moment it
says it is consuming, until every record is stored (polling `departure_records`, SQLite only).

    python3 bench/feed_drain.py --docket target/release/docket --db DIR/x.db \
        --departures DIR/departures.jsonl [--nats nats://127.0.0.1:4222] [--batch 256]

The database must have a model in force (`docket departures fit`) and no records of the file
yet (work on a copy). Needs `pip install nats-py`.
"""

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import time


async def publish(url, stream, subject, path):
    import nats

    nc = await nats.connect(url)
    js = nc.jetstream()
    try:
        await js.delete_stream(stream)
    except Exception:
        pass
    await js.add_stream(name=stream, subjects=[subject.rsplit(".", 1)[0] + ".>"])
    started = time.monotonic()
    n = 0
    pending = []
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            if not line:
                continue
            pending.append(js.publish(subject, line))
            n += 1
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending = []
    await asyncio.gather(*pending)
    await nc.close()
    return n, time.monotonic() - started


def stored(db):
    c = sqlite3.connect(db)
    try:
        return c.execute("SELECT count(*) FROM departure_records").fetchone()[0]
    finally:
        c.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--docket", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--departures", required=True)
    p.add_argument("--nats", default="nats://127.0.0.1:4222")
    p.add_argument("--batch", default="256")
    a = p.parse_args()
    stream, subject = "BENCH_DEPARTURES", "bench.departures.day"
    n, took = asyncio.run(publish(a.nats, stream, subject, a.departures))
    print(f"published {n} messages in {took:.1f} s ({n / took:,.0f}/s)")
    before = stored(a.db)
    log = open(a.db + ".consume.log", "w")
    consumer = subprocess.Popen(
        [a.docket, "--db", "sqlite://" + a.db, "--json", "departures", "consume", "--nats", a.nats,
         "--stream", stream, "--subject", "bench.departures.>", "--consumer", "bench",
         "--dead-stream", "BENCH_DEAD", "--dead-subject", "bench.dead.departures", "--batch", a.batch,
         "--refresh-seconds", "3600"],
        stdout=subprocess.PIPE, stderr=log, env={**os.environ, "DOCKET_ACTOR": "bench.feed"})
    launched = time.monotonic()
    while "docket: consuming stream" not in open(a.db + ".consume.log").read():
        if consumer.poll() is not None:
            sys.exit("the consumer exited:\n" + open(a.db + ".consume.log").read())
        time.sleep(0.05)
    ready = time.monotonic()
    print(f"consumer ready in {ready - launched:.1f} s (index built: see {a.db}.consume.log)")
    target = before + n
    last, last_change = before, ready
    while True:
        now = stored(a.db)
        if now != last:
            last, last_change = now, time.monotonic()
        if now >= target:
            break
        # The records the reader refuses are dead letters, never stored: the drain is over
        # once nothing more has been stored for 5 s.
        if now > before and time.monotonic() - last_change > 5:
            break
        time.sleep(0.1)
    done = last_change
    decided = last - before
    print(f"{decided} records decided and stored in {done - ready:.1f} s after the consumer was ready "
          f"({decided / (done - ready):,.0f}/s); {n - decided} not stored (dead letters)")
    consumer.terminate()
    out, _ = consumer.communicate()
    print(out.decode())


if __name__ == "__main__":
    main()
