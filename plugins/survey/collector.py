"""The collector's survey routes (SPEC §9), on ``sotong serve``:

- ``GET /surveys/SLUG?t=TOKEN``: the form, with the invitation's token in it
  (a static page cannot fill it in without JavaScript);
- ``POST /surveys/SLUG``: 303 to the thank-you page; 400 with every field
  error (unstorable characters too) beside its question and the answers kept; 403 bad token, or a reader
  no longer on record or among its audiences (a consultation); 404 unknown
  survey; 409 token already used (saying whom to call when the reader did not
  answer: a forwarded email's link); 410 survey not open (Seoul day: from
  when, or that it closed and whom to call); 413 over 64 KiB (core);
- ``GET /surveys/SLUG/thanks``: the thank-you page, for sites whose address
  is not absolute (development);
- either ``/surveys/SLUG`` of a survey invited to whose file was since
  renamed or removed (:mod:`.sent`): a redirect to the survey renamed, with
  the reader's token of it (for the reader's genuine token of the old one,
  when the reader is among its invited), or 410 with a page saying the
  survey is no longer posted. The ledger of surveys invited to is read
  again only when its file changed (:class:`.sent.InvitedLedger`).

The surveys are read again when a file of content/surveys/ or
audiences.yaml changed (the collector outlives many builds), kept as they
were while one is wrong.
Every survey takes answers only with an invitation's token, used once.
A trial message's link (a staff member's test copy, a preview:
:func:`.rules.trial_token`) opens the form marked as a test, whether or not
the survey is open, and its answer gets a 200 page saying it was not
recorded: nothing is stored and no reader's token is used.
For an anonymous survey the token is kept only as used (a hash, apart from
the answers) and never joined to the answer, so it limits answers to one per
invited reader without saying who gave which.
"""

from __future__ import annotations

import logging
from pathlib import Path

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect

from sotong.audiences import load_audiences
from sotong.content_files import yaml_files
from sotong.dates import korean_date
from sotong.i18n import _
from sotong.links import collector_url, site_url
from sotong.problems import SotongError
from sotong.web import unstorable_errors

from . import opinions, storage
from .answers import validate_answers
from .config import survey_settings
from .invitations import invitation_link
from .rules import is_invited, is_trial_token, reader_tokens, renamed_token, subscriber_of_token
from .schema import TOKEN_FIELD, read_surveys, surveys_dir
from .sent import InvitedLedger, moved_surveys

log = logging.getLogger("sotong.survey")
TEMPLATES = Path(__file__).parent / "templates"

MESSAGES = {
    # no link, or one cut short: a lost invitation is listed on the reader's page (link_again)
    403: ("개인 링크가 필요합니다", "이 설문은 초대받은 분만 답하실 수 있습니다. 이메일로 받으신 「설문 참여하기」 단추를 눌러 주세요. "
                               "링크가 잘렸다면 메일의 단추를 다시 눌러 주세요. 초대 메일을 찾을 수 없거나 아직 받지 못하셨으면 아래 「수신 설정 링크 다시 받기」에서 "
                               "등록하신 이메일 주소로 수신 설정 링크를 받아, 그 화면의 「참여하실 수 있는 설문」에서 답해 주세요."),
    # a forwarded email's link may have been used by whoever it was forwarded to
    409: ("이미 답해 주셨습니다", "이 링크로는 답변이 이미 접수되었습니다. 한 분이 한 번씩 답하실 수 있습니다. 참여해 주셔서 고맙습니다. "
                           "답하신 적이 없는데 이 화면이 보이면(메일을 다른 분께 전달하셨다면 그분이 답하셨을 수 있습니다) "
                           "{department}에 알려 주세요: 성동구청 {office_phone}"),
    410: ("아직 참여 기간이 아닙니다", "이 설문은 {opens}부터 {closes}까지 답하실 수 있습니다. {opens}부터 이 링크를 다시 열어 주세요."),
    "closed": ("참여 기간이 끝났습니다", "이 설문은 {closes}에 마감되어 더는 답을 받지 않습니다. 그래도 의견을 전하시려면 "
                                "{department}에 문의해 주세요: 성동구청 {office_phone}"),
    # a named survey's link whose reader is no longer on record (or not among a consultation's audiences)
    "left": ("이 링크로는 더 이상 답하실 수 없습니다", "이 설문은 초대받은 분께만 열려 있는데, 지금은 대상 명단에 계시지 않습니다. "
                                      "위원회·단체에서 빠지셨거나 소식 받기를 그만두셨거나 개인정보 삭제를 요청하셨을 수 있습니다. "
                                      "잘못된 것 같으면 {department}에 문의해 주세요: 성동구청 {office_phone}"),
    # an invited survey's link whose file was since removed
    "gone": ("이 설문은 더 이상 게시되지 않습니다", "이메일로 참여를 요청해 드린 설문은 지금 누리집에 게시되어 있지 않아 답을 받지 않습니다. "
                                "궁금하신 점은 성동구청 홍보담당관에 문의해 주세요: {office_phone}"),
    "trial": ("답변이 기록되지 않았습니다 (시험용 링크)", "시험용 링크입니다. 응답은 기록되지 않습니다. "
                                               "직원이 받은 시험용 메일이나 미리 보기의 링크라서 보내신 답변을 저장하지 않았습니다."),
}
STATUS = {"left": 403, "closed": 410, "gone": 410, "trial": 200}  # the others' code is their status


def thanks_url(settings: dict, slug: str) -> str:
    """The site's thank-you page when the site has an absolute address, else the collector's."""
    if str(settings.get("SITEURL") or "").startswith(("http://", "https://")):
        return site_url(settings, f"surveys/{slug}/thanks/")
    return collector_url(settings, f"surveys/{slug}/thanks")


class SurveyRoutes:
    def __init__(self, app):
        project = app.project
        self.settings = project.settings
        self.config = survey_settings(self.settings)
        self.files = _files_state(self.settings)  # before reading: a change meanwhile is read again
        self.surveys = project.part("surveys")
        self.invited = InvitedLedger(self.settings)
        self.project = project

    def reader_page(self, app, subscriber):
        """The open surveys ``subscriber`` may answer and has not answered,
        each with their own link (the one an invitation carries): those an
        issue invited them to (an invitation recorded in the store) and
        those they are among the audiences of now (a survey opened after the
        last issue, a reader who signed up since: the survey's page sends
        them here); None when there is none."""
        today = self.project.today()
        surveys = [survey for survey in self._current_surveys().values() if survey.is_open(today)]
        if not surveys:
            return None
        with app.store() as store:
            invited = storage.invited_to(storage.ensure(store), subscriber.id)
            tokens = {survey.slug: reader_tokens(survey.slug, subscriber.id) for survey in surveys
                      if survey.slug in invited or is_invited(survey, subscriber.profile, today.year)}
            answerable = [survey for survey in surveys if survey.slug in tokens
                          and _refusal(store, survey, subscriber.id, tokens[survey.slug], today) is None]
        if not answerable:
            return None
        return {"heading": "참여하실 수 있는 설문", "entries": [
            {"title": survey.title, "details": f"{survey.department} · {korean_date(survey.closes, year=False)}까지",
             "link": invitation_link(self.settings, survey.slug, tokens[survey.slug][0]),
             "action": "설문 참여하기"} for survey in answerable]}

    def _survey(self, slug: str):
        survey = self._current_surveys().get(slug)
        if survey is None:
            raise NotFound()
        return survey

    def _current_surveys(self) -> dict:
        """The surveys as content/surveys/ and audiences.yaml hold them now:
        read again when a file changed since they were read (the collector
        runs for weeks, while builds publish new surveys and staff move a
        closing day); kept as they were while a file is wrong, said once in
        the log (``sotong check`` says every problem)."""
        files = _files_state(self.settings)
        if files == self.files:
            return self.surveys
        self.files = files
        try:
            path = self.settings["AUDIENCES_PATH"]
            surveys, problems = read_surveys(self.settings, load_audiences(path, self.project.shown(path)),
                                             self.project.shown)
        except SotongError as error:
            surveys, problems = {}, error.problems
        if problems:
            log.warning(_("the surveys changed, but %s; the collector keeps them as they were until it is fixed"),
                        problems[0])
        else:
            self.surveys = surveys
        return self.surveys

    def _moved(self, request, slug: str):
        """The answer at the address of a survey invited to whose file was
        renamed (a redirect to it) or removed (410, it is no longer posted);
        NotFound for a survey never invited to (or a ledger unreadable, said in the log)."""
        try:
            moved = moved_surveys(self.settings, self._current_surveys(), self.invited.entries()).get(slug)
        except SotongError as error:
            log.warning("%s", error.problems[0])
            moved = None
        if moved is None:
            raise NotFound()
        renamed, app = moved[1], request.app
        if renamed is None:
            title, explanation = MESSAGES["gone"]
            return _private(app.render("survey_web_message.html", status=STATUS["gone"], title=title,
                                       explanation=explanation.format(office_phone=self.settings["OFFICE_PHONE"])))
        token = renamed_token(slug, renamed.slug, request.values.get(TOKEN_FIELD) or "")
        if token is not None and not is_trial_token(renamed.slug, token):
            with app.store() as store:
                reader = store.subscriber(subscriber_of_token(renamed.slug, token))
            token = token if reader is not None and is_invited(renamed, reader.profile, self.project.today().year) else None
        query = f"?{TOKEN_FIELD}={token}" if token else ""
        return _private(redirect(collector_url(self.settings, f"surveys/{renamed.slug}{query}"), code=303))

    def _message(self, app, code: int | str, survey):
        title, explanation = MESSAGES[code]
        explanation = explanation.format(opens=korean_date(survey.opens, year=False),
                                         closes=korean_date(survey.closes, year=False),
                                         department=survey.department, office_phone=self.settings["OFFICE_PHONE"])
        return _private(app.render("survey_web_message.html", status=STATUS.get(code, code),
                                   title=title, explanation=explanation,
                                   link_again=collector_url(self.settings, "p/link") if code == 403 else None))

    def _form(self, app, survey, token, status=200, answers=None, errors=None, trial=False):
        return _private(app.render(
            "survey_web_form.html", status=status, title=survey.title, survey=survey,
            action=collector_url(self.settings, f"surveys/{survey.slug}"), token=token, answers=answers or {},
            errors=errors or {}, open=True, needs_link=False, trial=trial, text_max_chars=self.config.text_max_chars))

    def _check(self, app, survey, token: str | None):
        """(the token's subscriber id or None, an error response or None)."""
        today = self.project.today()
        if not survey.is_open(today):
            return None, self._message(app, "closed" if today > survey.closes else 410, survey)
        subscriber_id = subscriber_of_token(survey.slug, token) if token else None
        if subscriber_id is None:
            return None, self._message(app, 403, survey)
        with app.store() as store:
            refusal = _refusal(storage.ensure(store), survey, subscriber_id, reader_tokens(survey.slug, subscriber_id), today)
        return subscriber_id, None if refusal is None else self._message(app, refusal, survey)

    def form(self, request, slug: str):
        survey = self._current_surveys().get(slug)
        if survey is None:
            return self._moved(request, slug)
        token = request.args.get(TOKEN_FIELD) or None
        if token and is_trial_token(slug, token):
            return self._form(request.app, survey, token, trial=True)
        _subscriber, refused = self._check(request.app, survey, token)
        return refused or self._form(request.app, survey, token)

    def answer(self, request, slug: str):
        survey = self._current_surveys().get(slug)
        if survey is None:  # a form opened before its survey was renamed or removed
            return self._moved(request, slug)
        app = request.app
        token = request.form.get(TOKEN_FIELD) or None
        trial = bool(token) and is_trial_token(slug, token)
        subscriber_id, refused = (None, None) if trial else self._check(app, survey, token)
        if refused:
            return refused
        form = request.form.to_dict(flat=False)
        answers, errors = validate_answers(survey, form, self.config.text_max_chars)
        errors.update(unstorable_errors(request, (question.id for question in survey.questions)))
        if errors:
            kept = {key: tuple(values) for key, values in form.items() if key != TOKEN_FIELD}
            return self._form(app, survey, token, 400, kept, errors, trial)
        if trial:
            return self._message(app, "trial", survey)
        today, consultation = self.project.today(), survey.kind == "consultation"

        def record_opinions(store):  # in the response's transaction: the reader still there, a consultation's opinions
            if not _still_invited_now(store, survey, subscriber_id, today):
                raise ReaderLeft()
            if consultation:
                opinions.record(store, survey, store.subscriber(subscriber_id), answers, today)

        try:
            with app.store() as store:
                if consultation:
                    opinions.ensure(store)  # its tables, before the transaction
                tokens = reader_tokens(survey.slug, subscriber_id)  # kept as the signing key's: one answer whatever key
                storage.store_response(storage.ensure(store), survey.slug, answers, today.isoformat(), token=tokens[0],
                                       earlier=tokens[1:],
                                       subscriber_id=None if survey.anonymous else subscriber_id,
                                       closes=survey.closes.isoformat(),
                                       also=record_opinions)
        except storage.TokenUsed:
            return self._message(app, 409, survey)
        except ReaderLeft:  # forgotten (or off the audiences) since the check above
            return self._message(app, "left", survey)
        if subscriber_id and not survey.anonymous:
            log.info(_("survey %s: answer from subscriber %s"), survey.slug, subscriber_id)
        return _private(redirect(thanks_url(self.settings, survey.slug), code=303))

    def thanks(self, request, slug: str):
        survey = self._survey(slug)
        return request.app.render("survey_web_thanks.html", title="답변 접수 완료", survey=survey,
                                  results_url=site_url(self.settings, f"surveys/{slug}/results/"),
                                  home_url=site_url(self.settings, ""))


def _files_state(settings: dict) -> tuple:
    """What tells that a survey file or audiences.yaml changed: their names,
    times and sizes."""
    paths = [*yaml_files(surveys_dir(settings))[0], Path(settings["AUDIENCES_PATH"])]
    return tuple((str(path), stat.st_mtime_ns, stat.st_size) for path in paths if (stat := _stat(path)))


def _stat(path: Path):
    try:
        return path.stat()
    except OSError:  # removed since the folder was listed
        return None


def _still_invited(store, survey, subscriber_id: str, today) -> bool:
    """A survey takes the answer of a reader still on record: not one
    forgotten since, whose id would come back with a named survey's answer,
    and with an anonymous one's used token (whose hash, with the key, names
    them; forget left the stand-in's in its place, so it would be a second
    answer too); a consultation (SPEC §16), of one still among its audiences
    (not one who left the committee)."""
    subscriber = store.subscriber(subscriber_id)
    if subscriber is None:
        return False
    return survey.kind != "consultation" or is_invited(survey, subscriber.profile, today.year)


def _refusal(store, survey, subscriber_id: str, tokens: list[str], today) -> str | int | None:
    """Why an open survey refuses the answer of the reader whose link holds
    one of ``tokens`` (:func:`.rules.reader_tokens`), as a key of MESSAGES:
    "left" when they are no longer invited (:func:`_still_invited`), 409
    when they answered (a token used); None when they may answer. The link
    check and the reader's page's list of surveys both ask it."""
    if not _still_invited(store, survey, subscriber_id, today):
        return "left"
    return 409 if storage.token_was_used(store, survey.slug, tokens) else None


class ReaderLeft(Exception):
    """The reader left the store (forget) or the audiences between the check
    of their link and the answer's transaction."""


def _still_invited_now(store, survey, subscriber_id: str, today) -> bool:
    """Inside the answer's transaction: :func:`_still_invited`, asked again
    with the reader's row held until the answer is committed. Forget deletes
    that row first in its transaction, so either the answer lands first and
    forget then erases it with the rest (and counts it, SPEC §13), or forget
    lands first and the answer is refused as a forgotten reader's: a check
    made only before the transaction let an answer written after forget's
    commit keep the forgotten id. SQLite's ``BEGIN IMMEDIATE`` holds the whole
    file; on PostgreSQL the row is locked ``FOR KEY SHARE`` (forget's
    ``DELETE`` waits for it, or it for the ``DELETE`` and then finds no row)."""
    if store.backend == "postgresql":
        store.db.execute("SELECT 1 FROM subscribers WHERE id = ? FOR KEY SHARE", (subscriber_id,)).fetchall()
    return _still_invited(store, survey, subscriber_id, today)


def _private(response):
    """A page of one reader's link: not cached, not indexed (its address,
    which holds the token, is never sent as a Referer: sotong.web's
    SHARED_HEADERS)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def reader_page_surveys(app, subscriber):
    """Receiver of ``sotong.signals.reader_page_blocks``: the surveys the
    reader may answer now, on their own preferences page (a lost invitation's
    way back); None on a collector without the survey routes."""
    routes = getattr(app, "survey_routes", None)
    return None if routes is None else routes.reader_page(app, subscriber)


def add_routes(app) -> None:
    routes = SurveyRoutes(app)
    app.survey_routes = routes  # for reader_page_surveys
    app.add_template_folder(TEMPLATES)
    app.add_route("/surveys/<slug>", routes.form, ["GET"])
    app.add_route("/surveys/<slug>", routes.answer, ["POST"])
    app.add_route("/surveys/<slug>/thanks", routes.thanks, ["GET"])
