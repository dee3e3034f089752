#!/usr/bin/env python3
"""Publish a provision command to pgfleet and follow its answers, with confluent-kafka alone.

    python3 docs/examples/provision.py --bootstrap-servers 127.0.0.1:9092 --file examples/postgres-minimal.yaml

The document (YAML or JSON) is the record value; the CloudEvents attributes are `ce_*` headers (binary mode); the key is
the instance key. The answers are status events on `pgfleet.status` whose `ce_correlationid` header is the command id
(`ce_id`): one final answer (SUCCEEDED, FAILED or REJECTED) from each service that takes the command (a provision: the
provisioner, the user-manager and the backup-worker). Exit code: 0 every service SUCCEEDED, 1 one FAILED, 2 one
REJECTED, 124 no final answer in time, as the pgfleet CLI's. Needs confluent-kafka (Debian: python3-confluent-kafka;
pip: confluent-kafka) and, for YAML documents, PyYAML (python3-yaml). Extra client settings (SASL, TLS) as
--config key=value, e.g. --config security.protocol=SASL_SSL --config sasl.mechanism=SCRAM-SHA-512 ...
"""
import argparse
import datetime
import json
import sys
import time
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

FINAL = {"SUCCEEDED": 0, "FAILED": 1, "REJECTED": 2}
SERVICES = ["provisioner", "user-manager", "backup-worker"]


def read_document(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        return json.loads(text)
    import yaml  # only YAML documents need it
    return yaml.safe_load(text)


def status_partitions(consumer, topic):
    found = consumer.list_topics(topic, timeout=10).topics.get(topic)
    return [] if found is None or found.error else sorted(found.partitions)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--file", required=True, help="a Postgres document, YAML or JSON")
    parser.add_argument("--name", help="the instance's name instead of the document's metadata.name")
    parser.add_argument("--namespace", help="the instance's namespace (default: the document's, else the services' default)")
    parser.add_argument("--topic", default="pgfleet.command.provision")
    parser.add_argument("--status-topic", default="pgfleet.status")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for every answer")
    parser.add_argument("--config", action="append", default=[], help="extra client setting key=value")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each answer as it comes, also through a pipe

    document = read_document(args.file)
    metadata = document.setdefault("metadata", {})
    if args.name:
        metadata["name"] = args.name
    if args.namespace:
        metadata["namespace"] = args.namespace
    key = (metadata["namespace"] + "/" if metadata.get("namespace") else "") + metadata["name"]
    client = {"bootstrap.servers": args.bootstrap_servers}
    client.update(dict(setting.split("=", 1) for setting in args.config))

    # The answers are read from where the status topic ended before publishing: each partition's end offset now (no
    # consumer group: the partitions are assigned, nothing is committed). A partition (or the whole topic) that does not
    # exist yet is read from its beginning: all it will hold comes after. Looking up offsets by time after publishing
    # would race with the answers, which can all be written between the lookup and the assignment.
    consumer = Consumer({**client, "group.id": "pgfleet-example", "enable.auto.commit": False})
    start = {p: consumer.get_watermark_offsets(TopicPartition(args.status_topic, p), timeout=30)[1]
             for p in status_partitions(consumer, args.status_topic)}

    command_id = str(uuid.uuid4())
    producer = Producer({**client, "enable.idempotence": True, "acks": "all"})
    headers = [
        ("ce_specversion", b"1.0"),
        ("ce_id", command_id.encode()),
        ("ce_source", b"/examples/python"),
        ("ce_type", b"io.pgfleet.command.provision.v1"),
        ("ce_time", datetime.datetime.now(datetime.timezone.utc).isoformat().encode()),
        ("ce_subject", key.encode()),
        ("content-type", b"application/json"),
    ]
    delivered = []
    producer.produce(args.topic, key=key.encode(), value=json.dumps(document).encode(), headers=headers,
                     on_delivery=lambda err, msg: delivered.append(err))
    producer.flush(30)
    if not delivered or delivered[0] is not None:
        print(f"not published: {delivered[0] if delivered else 'no acknowledgement'}", file=sys.stderr)
        return 69
    print(f"published provision {command_id} for {key}")

    deadline = time.monotonic() + args.timeout
    partitions = []
    while not partitions and time.monotonic() < deadline:
        partitions = status_partitions(consumer, args.status_topic)
        if not partitions:
            time.sleep(0.5)  # the services make the topic with their first answer
    consumer.assign([TopicPartition(args.status_topic, p, start.get(p, OFFSET_BEGINNING)) for p in partitions])

    finals = {}
    seen = set()
    while len(finals) < len(SERVICES) and time.monotonic() < deadline:
        record = consumer.poll(1.0)
        if record is None or record.error():
            continue
        record_headers = dict(record.headers() or [])
        if record_headers.get("ce_correlationid", b"").decode() != command_id:
            continue
        ce_id = record_headers.get("ce_id", b"").decode()
        if ce_id in seen:
            continue  # a relay may publish an event again: consumers dedupe on ce_id
        seen.add(ce_id)
        event = json.loads(record.value())
        print(f"{event['service']:<15}{event['phase']:<12}{event.get('reason') or '':<22}{event.get('message') or ''}")
        for error in event.get("errors") or []:
            print(f"{'':<15}{'':<12}{error.get('path', '')}: {error.get('message', '')}")
        if event["phase"] in FINAL:
            finals[event["service"]] = event["phase"]
    consumer.close()
    if len(finals) < len(SERVICES):
        print(f"no final answer from {', '.join(s for s in SERVICES if s not in finals)} within {args.timeout:.0f}s", file=sys.stderr)
        return 124
    return max(FINAL[phase] for phase in finals.values())


if __name__ == "__main__":
    sys.exit(main())
