"""Department pages: which notices each department's page lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .addresses import department_save_as, department_url


@dataclass(frozen=True)
class Department:
    """One department of audiences.yaml, with its current and expired notices
    (homepage notices only, in the order given: newest first)."""

    name: str
    articles: tuple = ()
    expired: tuple = ()

    @property
    def url(self) -> str:
        return department_url(self.name)

    @property
    def save_as(self) -> str:
        return department_save_as(self.name)

    @property
    def count(self) -> int:
        return len(self.articles)


def group_by_department(names: Iterable[str], current: Iterable, expired: Iterable) -> list[Department]:
    """A Department for each name, in the order of ``names``; items (articles
    or notices) go to the department named by their ``department`` and keep
    their order. (Departments are validated, so every item has a name here.)"""
    listed: dict[str, list] = {name: [] for name in names}
    retired: dict[str, list] = {name: [] for name in listed}
    for item in current:
        listed[item.department].append(item)
    for item in expired:
        retired[item.department].append(item)
    return [Department(name, tuple(listed[name]), tuple(retired[name])) for name in listed]
