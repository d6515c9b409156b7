"""``sotong bundles --sms-budget WON``: what a bundle's texts would cost,
counted before anything is written, and, when that is over the budget, what
would fit: how many readers (in the store's order), or which notices (urgent
first, then in the bundle's order).

The tally reads the store once; the rest are pure functions of it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Callable, Iterable, Sequence

from sotong.i18n import _
from sotong.problems import SotongError
from sotong.sms import MessageCounts, Prices, exact_won, won

from .rules import sms_notices


@dataclass
class Tally:
    """A bundle's texts: readers by the notices their text holds, and the
    price of each reader's text in the store's order."""

    texts: Counter = field(default_factory=Counter)  # notices tuple -> readers
    other_policy: Counter = field(default_factory=Counter)  # the same under the other SMS_POLICY
    reader_prices: list = field(default_factory=list)


def tally(bundler, subscribers: Iterable) -> Tally:
    """Count every reader's text as ``write_bundle`` would write it."""
    counted = Tally()
    policy = bundler.sms_settings.policy
    other = "email-first" if policy == "all" else "all"
    prices = bundler.sms_settings.prices
    for subscriber in subscribers:
        if not bundler.reachable(subscriber, "sms"):
            continue
        plan = bundler.plan(subscriber)
        emailed = bundler.emailed(subscriber, plan)
        notices = sms_notices(plan.selection.sms, policy, emailed)
        if notices:
            counted.texts[notices] += 1
            counted.reader_prices.append(prices.of(bundler.sms.message(notices).type))
        alternative = sms_notices(plan.selection.sms, other, emailed)
        if alternative:
            counted.other_policy[alternative] += 1
    return counted


def texts_counts(texts: Counter, type_of: Callable[[tuple], str | None], keep: Callable = lambda n: True) -> MessageCounts:
    """SMS and LMS of ``texts`` (notices tuple -> readers) when only the
    notices ``keep`` accepts are sent; ``type_of(notices)``: SMS or LMS."""
    tallied = Counter()
    for notices, readers in texts.items():
        kept = tuple(n for n in notices if keep(n))
        if kept:
            tallied[type_of(kept)] += readers
    return MessageCounts(sms=tallied["SMS"], lms=tallied["LMS"])


def readers_within(prices_in_order: Sequence[float], budget: float) -> int:
    """How many readers, taken in order, the budget pays for."""
    return sum(1 for total in accumulate(map(exact_won, prices_in_order)) if total <= exact_won(budget))


def notices_within(ordered: Sequence, cost_keeping: Callable[[frozenset], float], budget: float) -> tuple:
    """The longest prefix of ``ordered`` (notices) whose texts cost at most
    ``budget``; a cost never falls as notices are added, so the first that
    passes it ends the prefix."""
    kept: list = []
    for notice in ordered:
        if cost_keeping(frozenset(n.slug for n in (*kept, notice))) > budget:
            break
        kept.append(notice)
    return tuple(kept)


def priority_order(notices: Iterable) -> list:
    """Urgent notices first, then the others, each in the bundle's order."""
    notices = list(notices)
    return [n for n in notices if n.urgent] + [n for n in notices if not n.urgent]


def refuse_over_budget(bundler, subscribers: Iterable, budget: float) -> MessageCounts:
    """The texts' counts when their cost is within ``budget``; otherwise
    SotongError saying the cost and what would fit (nothing is written)."""
    counted = tally(bundler, subscribers)
    prices: Prices = bundler.sms_settings.prices

    def type_of(notices: tuple) -> str:
        return bundler.sms.message(notices).type

    counts = texts_counts(counted.texts, type_of)
    if counts.cost(prices) <= budget:
        return counts

    def cost_keeping(slugs: frozenset) -> float:
        return texts_counts(counted.texts, type_of, lambda n: n.slug in slugs).cost(prices)

    sms_notices_of_bundle = [n for n in bundler.bundle.notices if n.has("sms")]
    fitting = notices_within(priority_order(sms_notices_of_bundle), cost_keeping, budget)
    fitting_text = (_("only the notices {items} ({won})").format(
        items=', '.join(n.slug for n in fitting), won=won(cost_keeping(frozenset(n.slug for n in fitting)))) if fitting else _("no notice"))
    other = texts_counts(counted.other_policy, type_of).cost(prices)
    other_policy = "email-first" if bundler.sms_settings.policy == "all" else "all"
    raise SotongError([
        _('--sms-budget {won}: the texts of {key} would cost {cost_line}, so nothing was written; within the budget fit the first {readers_within:,} of {count:,} text readers in id order, or {fitting_text}; with SMS_POLICY = "{other_policy}" the texts would cost {won2}').format(
            won=won(budget), key=bundler.bundle.key, cost_line=counts.cost_line(prices), readers_within=readers_within(counted.reader_prices, budget), count=len(counted.reader_prices), fitting_text=fitting_text, other_policy=other_policy, won2=won(other))])
