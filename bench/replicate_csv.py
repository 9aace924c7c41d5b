#!/usr/bin/env python3
"""Replicate a CSV of reports to at least N rows: copy k of row uid U gets
the uid "U-k" (copy 0 keeps U). Used by the extraction benchmarks.

    bench/replicate_csv.py IN.csv N OUT.csv
"""
import csv
import sys


def main():
    src, n, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(src, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    copies = -(-n // len(body))
    with open(dst, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f)
        w.writerow(header)
        for k in range(copies):
            for r in body:
                r2 = list(r)
                if k:
                    r2[0] = '%s-%d' % (r[0], k)
                w.writerow(r2)
    print('%s: %d rows (%d copies of %d)' % (dst, copies * len(body), copies, len(body)))


if __name__ == '__main__':
    main()
