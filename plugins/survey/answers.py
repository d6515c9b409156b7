"""The rules of one submitted form (pure): which answers a survey takes, and
the Korean message shown next to each question that was answered wrongly."""

from __future__ import annotations

import unicodedata
from typing import Mapping, Sequence

from sotong.invisible import trimmed

from .schema import Survey


def one_line_break(text: str) -> str:
    """``text`` with each line break one character (LF), as the browser
    counted it against the box's ``maxlength``: a form sends each as CR LF,
    which counted twice would refuse a text the browser let through."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def validate_answers(survey: Survey, form: Mapping[str, Sequence[str]], text_max_chars: int
                     ) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """(answers, errors) for ``form`` (field name -> every value sent).

    ``answers`` maps each answered question id to its values (one for single,
    scale and text; the chosen options, in the survey's order, for multiple);
    ``errors`` maps question ids to what the resident should do. Fields that
    are not questions are ignored.
    """
    answers: dict[str, tuple[str, ...]] = {}
    errors: dict[str, str] = {}
    for question in survey.questions:
        values = [trimmed(v) for v in form.get(question.id, ())]
        values = [v for v in values if v]
        if not values:
            if question.required:
                errors[question.id] = "꼭 답해 주셔야 하는 질문입니다." if question.type != "multiple" else "하나 이상 골라 주세요."
            continue
        if question.type == "text":
            text = one_line_break(unicodedata.normalize("NFC", values[0]))  # Hangul a phone's keyboard sent letter by letter: 한, not ㅎㅏㄴ
            if len(values) > 1:
                errors[question.id] = "답을 한 칸에만 적어 주세요."
            elif len(text) > text_max_chars:
                errors[question.id] = f"{text_max_chars}자 이내로 줄여 주세요. 지금 {len(text)}자입니다."
            else:
                answers[question.id] = (text,)
            continue
        choices, chosen = question.choices, set(values)
        if any(v not in choices for v in values):
            errors[question.id] = "보기 가운데에서 골라 주세요."
        elif question.type != "multiple" and len(values) > 1:
            errors[question.id] = "하나만 골라 주세요."
        elif question.most and len(chosen) > question.most:
            errors[question.id] = f"{question.most}개까지만 골라 주세요. 지금 {len(chosen)}개를 고르셨습니다."
        elif len(chosen) < question.least:
            errors[question.id] = f"{question.least}개 이상 골라 주세요. 지금 {len(chosen)}개를 고르셨습니다."
        else:
            answers[question.id] = tuple(c for c in choices if c in chosen)
    return answers, errors
