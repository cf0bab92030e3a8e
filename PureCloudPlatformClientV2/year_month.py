"""``YearMonth``: the API's ``YYYY-MM`` values."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar


class YearMonth:
    """A calendar month, sent and received as ``"YYYY-MM"``."""

    __slots__ = ("_year", "_month")
    # the model tables of the official class (read-only here, shared by every instance)
    swagger_types: ClassVar[dict[str, str]] = {"year": "int", "month": "int"}
    attribute_map: ClassVar[dict[str, str]] = {"year": "year", "month": "month"}

    def __init__(self, year: int, month: int) -> None:
        self.year = year
        self.month = month

    @classmethod
    def from_date(cls, d: date) -> YearMonth:
        return cls(d.year, d.month)

    def to_date(self) -> date:
        return date(self._year, self._month, 1)

    @property
    def year(self) -> int:
        return self._year

    @year.setter
    def year(self, value: int) -> None:
        if not isinstance(value, int) or not 1 <= value <= 9999:
            raise ValueError(f"year must be an int in 1..9999, got {value!r}")
        self._year = value

    @property
    def month(self) -> int:
        return self._month

    @month.setter
    def month(self, value: int) -> None:
        if not isinstance(value, int) or not 1 <= value <= 12:
            raise ValueError(f"month must be an int in 1..12, got {value!r}")
        self._month = value

    def to_dict(self) -> dict[str, int]:
        return {"year": self._year, "month": self._month}

    def to_json(self) -> str:
        return f'"{self}"'

    def to_str(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"{self._year:04d}-{self._month:02d}"

    def __repr__(self) -> str:
        return f"YearMonth({self._year}, {self._month})"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, YearMonth) and (self._year, self._month) == (other._year, other._month)

    def __hash__(self) -> int:
        return hash((self._year, self._month))
