#!/usr/bin/env python3
"""Converts the OpenAPI YAML document to compact JSON (one trailing newline).

Usage: embed_yaml_to_json.py <in.yaml> <out.json>
Fails when the YAML holds a value JSON cannot represent (dates, binary, ...), so the two served
documents always describe the same data.
"""
import json
import sys

import yaml


def main():
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding='utf-8') as f:
        document = yaml.safe_load(f)
    text = json.dumps(document, ensure_ascii=False, separators=(',', ':'), allow_nan=False)
    with open(target, 'w', encoding='utf-8') as f:
        f.write(text + '\n')


if __name__ == '__main__':
    main()
