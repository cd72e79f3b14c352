#!/usr/bin/env python3
"""Produce review and rating events for jrl-stream from Python (librdkafka + Apache Avro).

A worked example of the producer guide (docs/producers.md): every value is an Avro single-object
message -- the magic bytes C3 01, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer
schema's Parsing Canonical Form, then the Avro binary body -- written with one of the schema versions
the trainer publishes (schemas/src/main/avro). Keys are the user id (UTF-8); ingestion does not read
them, they only pick the partition. Needs Debian's python3-confluent-kafka and python3-avro:

    apt-get install -y python3-confluent-kafka python3-avro
    /usr/bin/python3 examples/python/produce_reviews.py --bootstrap 127.0.0.1:9092            # synthetic data
    /usr/bin/python3 examples/python/produce_reviews.py --bootstrap 127.0.0.1:9092 \\
        --data ../shared/data/reviews_Musical_Instruments_5.json.gz --limit 2000              # Amazon 2014 JSON lines
    /usr/bin/python3 examples/python/produce_reviews.py --print-fingerprints                    # stdlib only

Two pitfalls of Debian's python3-avro 1.11, worked around here:
  * its Parsing Canonical Form keeps {"type":"long"} for a field with a logicalType (the spec says
    "long"), so its fingerprints differ from Java's and the trainer would dead-letter every message as
    UNKNOWN_SCHEMA: the canonical form is built here, per the specification (canonical_form below);
  * it accepts a timestamp-millis field only as a datetime: the body is written with the canonical form
    itself as the writer schema, which has no logical types (same bytes by definition), so eventTime is a
    plain int of milliseconds since the epoch.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import sys
import time

MAGIC = b"\xc3\x01"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMAS = os.path.normpath(os.path.join(HERE, "..", "..", "schemas", "src", "main", "avro"))

# --------------------------------------------------------------------------------------------------
# Parsing Canonical Form and CRC-64-AVRO, per the Avro specification ("Schema Fingerprints").
# Standard library only.
# --------------------------------------------------------------------------------------------------
PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
NAMED = {"record", "error", "enum", "fixed"}
# [ORDER]: the only attributes kept, in this order ([STRIP] drops doc, default, aliases, logicalType...).
KEPT = ("name", "type", "fields", "symbols", "items", "values", "size")


def _full_name(name, namespace):
    if "." in name or not namespace:
        return name
    return namespace + "." + name


def _pcf(schema, namespace, seen):
    """The canonical form of one (sub-)schema as a compact JSON string."""
    if isinstance(schema, str):
        # [PRIMITIVES] stay bare; a reference to a named type becomes its full name ([FULLNAMES]).
        return json.dumps(schema if schema in PRIMITIVES else _full_name(schema, namespace))
    if isinstance(schema, list):
        return "[" + ",".join(_pcf(branch, namespace, seen) for branch in schema) + "]"
    kind = schema["type"]
    if kind in PRIMITIVES or not isinstance(kind, str):
        if isinstance(kind, str):
            return json.dumps(kind)  # {"type":"long","logicalType":...} -> "long": the step python3-avro misses
        return _pcf(kind, namespace, seen)
    if kind in NAMED:
        name = _full_name(schema["name"], schema.get("namespace", namespace))
        if name in seen:
            return json.dumps(name)  # a named type is written out once, then referred to by name
        seen.add(name)
        inner = name.rsplit(".", 1)[0] if "." in name else ""
        parts = ['"name":' + json.dumps(name), '"type":' + json.dumps("record" if kind == "error" else kind)]
        if kind in ("record", "error"):
            fields = ['{"name":' + json.dumps(f["name"]) + ',"type":' + _pcf(f["type"], inner, seen) + "}"
                      for f in schema["fields"]]
            parts.append('"fields":[' + ",".join(fields) + "]")
        elif kind == "enum":
            parts.append('"symbols":[' + ",".join(json.dumps(s) for s in schema["symbols"]) + "]")
        else:
            parts.append('"size":' + str(int(schema["size"])))  # [INTEGERS]
        return "{" + ",".join(parts) + "}"
    if kind == "array":
        return '{"type":"array","items":' + _pcf(schema["items"], namespace, seen) + "}"
    if kind == "map":
        return '{"type":"map","values":' + _pcf(schema["values"], namespace, seen) + "}"
    raise ValueError("not an Avro schema type: %r" % (kind,))


def canonical_form(schema_json):
    """Parsing Canonical Form of a schema given as parsed JSON (dict, list or str)."""
    return _pcf(schema_json, "", set())


_EMPTY64 = 0xC15D213AA4D7A795
_CRC_TABLE = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_EMPTY64 & -(_fp & 1))
    _CRC_TABLE.append(_fp)


def crc64_avro(data):
    """CRC-64-AVRO of bytes, as an unsigned 64-bit int (Java: SchemaNormalization.parsingFingerprint64)."""
    fp = _EMPTY64
    for byte in data:
        fp = (fp >> 8) ^ _CRC_TABLE[(fp ^ byte) & 0xFF]
    return fp


def fingerprint(schema_json):
    """The schema's fingerprint: CRC-64-AVRO of its Parsing Canonical Form in UTF-8."""
    return crc64_avro(canonical_form(schema_json).encode("utf-8"))


# --------------------------------------------------------------------------------------------------
# Single-object encoding with Apache Avro's Python library.
# --------------------------------------------------------------------------------------------------
class SingleObjectWriter:
    """Encodes dicts as Avro single-object messages of one schema (an .avsc file)."""

    def __init__(self, avsc_path):
        import avro.io
        import avro.schema
        with open(avsc_path, encoding="utf-8") as f:
            schema_json = json.load(f)
        self.name = _full_name(schema_json["name"], schema_json.get("namespace", ""))
        canonical = canonical_form(schema_json)
        self.fingerprint = crc64_avro(canonical.encode("utf-8"))
        self.header = MAGIC + self.fingerprint.to_bytes(8, "little")
        # The canonical form is itself a schema that writes the same bytes, with no logical types: eventTime
        # is a plain long (ms since the epoch) instead of the datetime python3-avro wants for timestamp-millis.
        self._writer = avro.io.DatumWriter(avro.schema.parse(canonical))
        self._avro_io = avro.io

    def encode(self, record):
        out = io.BytesIO()
        out.write(self.header)
        self._writer.write(record, self._avro_io.BinaryEncoder(out))
        return out.getvalue()


# --------------------------------------------------------------------------------------------------
# Events: from an Amazon 2014 JSON lines file, or synthetic.
# --------------------------------------------------------------------------------------------------
WORDS = ("bright warm crisp loud quiet heavy light sturdy cheap solid smooth sharp deep clean "
         "tone string strap pedal cable tuner amp case pick stand mic reed drum bow valve horn").split()


def synthetic_events(users, items, count, rating_every, seed):
    """(kind, user, item, stars, summary, text, event_time_ms, event_id) tuples; kind is 'review' or 'rating'.

    Users and items fall into 3 clusters; a user picks items of their own cluster 4 times in 5, and an
    item's reviews use its cluster's words, so every view has something to learn.
    """
    rng = random.Random(seed)
    start = 1_700_000_000_000
    for i in range(count):
        user = rng.randrange(users)
        cluster = user % 3 if rng.random() < 0.8 else rng.randrange(3)
        item = rng.randrange(cluster, items, 3) if items > cluster else rng.randrange(items)
        vocab = WORDS[cluster * 9:cluster * 9 + 12]
        stars = 5 if (item % 3) == (user % 3) else rng.randint(1, 4)
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(6, 20)))
        kind = "rating" if rating_every and i % rating_every == rating_every - 1 else "review"
        yield (kind, "u%03d" % user, "i%03d" % item, stars, "summary " + rng.choice(vocab), text,
               start + i * 60_000, "py-synthetic-%d:%d" % (seed, i))


def amazon_events(path, limit):
    """Reviews of an Amazon 2014 JSON lines file (plain or gzip); a line without text becomes a rating."""
    with open(path, "rb") as f:
        digest = hashlib.sha256()
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    source = digest.hexdigest()[:16]  # ids <file fingerprint>:<line>, as `jrl import` makes them
    with open(path, "rb") as raw:
        stream = gzip.open(raw) if raw.peek(2)[:2] == b"\x1f\x8b" else raw
        for line_no, line in enumerate(stream, start=1):
            if limit and line_no > limit:
                break
            try:
                r = json.loads(line)
                user, item = r["reviewerID"], r["asin"]
            except (ValueError, KeyError) as e:
                print("line %d skipped: %s" % (line_no, e), file=sys.stderr)
                continue
            stars = r.get("overall")
            summary, text = r.get("summary", ""), r.get("reviewText", "")
            kind = "review" if (summary or text) else "rating"
            when = int(r.get("unixReviewTime", 0)) * 1000
            yield (kind, user, item, None if stars is None else int(round(stars)), summary, text, when,
                   "%s:%d" % (source, line_no))


# --------------------------------------------------------------------------------------------------
# Producing.
# --------------------------------------------------------------------------------------------------
def producer_config(args):
    config = {
        "bootstrap.servers": args.bootstrap,
        # No duplicates or reordering on retries: the trainer does not de-duplicate by eventId.
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "compression.type": "lz4",
    }
    if args.transactional_id:
        config["transactional.id"] = args.transactional_id
    for kv in args.config:
        key, _, value = kv.partition("=")
        config[key] = value
    return config


def produce(args):
    from confluent_kafka import KafkaException, Producer

    reviews = SingleObjectWriter(os.path.join(args.schemas, "ReviewEvent.avsc"))
    ratings = SingleObjectWriter(os.path.join(args.schemas, "RatingEvent.avsc"))
    for w in (reviews, ratings):
        print("%s fingerprint %016x (wire %s)" % (w.name, w.fingerprint, w.header.hex(" ")), file=sys.stderr)

    failures = []

    def delivered(err, msg):
        if err is not None:
            failures.append("%s: %s" % (msg.key(), err))

    producer = Producer(producer_config(args))
    transactional = bool(args.transactional_id)
    if transactional:
        producer.init_transactions(30)  # also aborts what an earlier run with this id left open
    if args.data:
        events = amazon_events(args.data, args.limit)
    else:
        events = synthetic_events(args.users, args.items, args.events, args.rating_every, args.seed)
    counts = {"review": 0, "rating": 0}
    in_transaction = 0
    for kind, user, item, stars, summary, text, when, event_id in events:
        if transactional and in_transaction == 0:
            producer.begin_transaction()
        if kind == "review":
            value = reviews.encode({"eventId": event_id, "eventTime": when, "userId": user, "itemId": item,
                                    "stars": stars, "summary": summary, "reviewText": text, "helpfulVotes": 0})
            topic = args.reviews_topic
        else:
            value = ratings.encode({"eventId": event_id, "eventTime": when, "userId": user, "itemId": item,
                                    "stars": None if stars is None else float(stars)})
            topic = args.ratings_topic
        while True:
            try:
                producer.produce(topic, key=user.encode("utf-8"), value=value, on_delivery=delivered)
                break
            except BufferError:  # local queue full: let librdkafka send some
                producer.poll(0.1)
        producer.poll(0)
        counts[kind] += 1
        in_transaction += 1
        if transactional and in_transaction == args.chunk:
            try:
                producer.commit_transaction(60)
            except KafkaException as e:
                producer.abort_transaction(60)
                raise SystemExit("transaction aborted: %s" % e)
            in_transaction = 0
    if transactional and in_transaction:
        producer.commit_transaction(60)
    remaining = producer.flush(60)
    if failures or remaining:
        raise SystemExit("%d events not delivered (%d still queued): %s"
                         % (len(failures) + remaining, remaining, "; ".join(failures[:5])))
    print("produced %d reviews to %s and %d ratings to %s"
          % (counts["review"], args.reviews_topic, counts["rating"], args.ratings_topic))


def print_fingerprints(paths):
    """For each .avsc: the fingerprint as Java's SchemaVersion.hex prints it, the full name, the file."""
    for path in paths:
        with open(path, encoding="utf-8") as f:
            schema_json = json.load(f)
        name = _full_name(schema_json["name"], schema_json.get("namespace", ""))
        print("%016x %s %s" % (fingerprint(schema_json), name, path))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bootstrap", default="127.0.0.1:9092", help="Kafka bootstrap servers")
    p.add_argument("--reviews-topic", default="jrl.reviews")
    p.add_argument("--ratings-topic", default="jrl.ratings")
    p.add_argument("--schemas", default=DEFAULT_SCHEMAS, help="folder of ReviewEvent.avsc and RatingEvent.avsc")
    p.add_argument("--data", help="Amazon 2014 review JSON lines (plain or gzip); default: synthetic events")
    p.add_argument("--limit", type=int, default=0, help="lines of --data to send (0: all)")
    p.add_argument("--users", type=int, default=30, help="synthetic users")
    p.add_argument("--items", type=int, default=24, help="synthetic items")
    p.add_argument("--events", type=int, default=600, help="synthetic events")
    p.add_argument("--rating-every", type=int, default=5,
                   help="every n-th synthetic event is a rating without text (0: reviews only)")
    p.add_argument("--seed", type=int, default=1, help="seed of the synthetic events")
    p.add_argument("--transactional-id", help="send in transactions of --chunk events under this id")
    p.add_argument("--chunk", type=int, default=500, help="events per transaction")
    p.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                   help="extra librdkafka setting, e.g. security.protocol=SASL_SSL (repeatable)")
    p.add_argument("--print-fingerprints", nargs="*", metavar="AVSC",
                   help="print the fingerprint of each schema file (default: those of --schemas) and exit")
    args = p.parse_args(argv)
    if args.print_fingerprints is not None:
        paths = args.print_fingerprints or sorted(
            os.path.join(args.schemas, n) for n in os.listdir(args.schemas) if n.endswith(".avsc"))
        print_fingerprints(paths)
        return 0
    produce(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
