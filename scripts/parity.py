"""scripts/parity: how far the provisions-form draft of the Valence letter answers as the letter form does
(tests/parity.py), section by section, over the characterization lives read under the catalogue's defaults."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import characterization as c  # noqa: E402
import parity as p  # noqa: E402

T = TypeVar("T")


def _each_life(args: argparse.Namespace, measure: Callable[..., T]) -> Iterator[T]:
    """`measure` of each life asked for (the default-reading ones, or a variant's with its settings in the
    draft), in parallel."""
    if args.variant is None:
        lives, terms = p.default_lives(args.lives), None
    else:
        lives, terms = p.variant_lives(args.variant, args.lives), p.variant_draft(c.VARIANTS[args.variant])
    with ProcessPoolExecutor(args.jobs) as pool:
        yield from pool.map(partial(measure, terms=terms), lives, chunksize=10)


def main() -> int:
    a = argparse.ArgumentParser(prog="parity")
    a.add_argument("--lives", type=int, default=300, help="how many default-reading lives (default 300)")
    a.add_argument("--jobs", type=int, default=None)
    a.add_argument("--variant", type=int, help="the lives of this variant, read with its settings written in the draft")
    a.add_argument("--show", metavar="SECTION", help="print the first difference of this section ('payment KIND')")
    a.add_argument("--items", action="store_true", help="compare the dated items (read models, reminders) instead")
    a.add_argument("--reminders", action="store_true", help="compare the reminders the alert planner draws instead")
    args = a.parse_args()
    if args.items or args.reminders:
        return items(args)
    t0 = time.perf_counter()
    total = p.Tally()
    for t in _each_life(args, p.life_parity):
        total.add(t)
    took = time.perf_counter() - t0
    print(f"{args.lives} lives, {total.reports} reports in {took:.1f} s; crashes: {len(total.crashes)}")
    print(f"  {'section':<20} {'all reports':>22}   where the end of employment agrees ({total.same_end})")
    for s in p.SECTIONS:
        share = total.agree[s] / total.reports if total.reports else 0.0
        same = total.agree_same_end[s] / total.same_end if total.same_end else 0.0
        held = "  (held by test_parity)" if s in p.PARITY_SECTIONS else ""
        held = "  (held where the end agrees)" if s in p.PARITY_SAME_END else held
        print(f"  {s:<20} {share:7.2%} {total.agree[s]:>6} / {total.reports}   {same:7.2%}{held}")
    share = total.whole / total.reports if total.reports else 0.0
    whole = f"{share:7.2%} {total.whole:>6} / {total.reports}"
    print(f"  {'(the whole report)':<20} {whole}   the same JSON text, free text left out")
    print(f"  payments by kind, where the end of employment agrees ({total.same_end} reports)")
    for kind in sorted(total.payments):
        share = total.payments_agree[kind] / total.payments[kind]
        held = "  (held by test_parity)" if kind in p.PARITY_PAYMENTS else ""
        print(f"    {kind:<22} {share:7.2%} {total.payments_agree[kind]:>6} / {total.payments[kind]}{held}")
    for crash in total.crashes[:3]:
        print(crash)
    if args.show:
        diff = total.first_difference.get(args.show)
        if diff is None:
            print(f"{args.show}: no difference")
        else:
            n, day, want, have = diff
            print(f"{args.show}: life {n} as of {day}")
            print("  letter:    " + json.dumps(want, default=str))
            print("  provisions: " + json.dumps(have, default=str))
    held = [s for s in p.PARITY_SECTIONS if total.agree[s] != total.reports]
    held += ["(the whole report)"] if total.whole != total.reports else []
    held += [s for s in p.PARITY_SAME_END if total.agree_same_end[s] != total.same_end]
    held += [k for k in p.PARITY_PAYMENTS if total.payments_agree[k] != total.payments[k]]
    return 1 if held or total.crashes else 0


def items(args: argparse.Namespace) -> int:
    """The dated items (or the reminders planned from them) of both forms, by family, with one example of each
    difference."""
    t0 = time.perf_counter()
    total = p.ItemsTally()
    for t in _each_life(args, p.reminders_parity if args.reminders else p.items_parity):
        total.add(t)
    share = total.equal / total.letter if total.letter else 0.0
    what, fields = ("reminders", p.REMINDER_FIELDS) if args.reminders else ("dated items", p.ITEM_FIELDS)
    if not args.reminders:
        print("(a clock's validity is cut to the days a report shows it: the forms checkpoint differently)")
    print(
        f"{args.lives} lives in {time.perf_counter() - t0:.1f} s: {total.letter} {what} of the letter form, "
        f"{total.equal} ({share:.2%}) equal in the draft in every field ({', '.join(fields)})"
    )
    for key, count in total.only.most_common():
        n, row = total.example[key]
        example = dict(zip(fields, row, strict=True))
        print(f"  {count:>6}  {key[0]:<12} {key[1]:<10} {key[2]:<28} e.g. life {n}: {example}")
    return 0 if not total.only else 1


if __name__ == "__main__":
    sys.exit(main())
