"""The permission-matrix helper itself: a refusal in disguise is never counted as success."""

from django.http import HttpResponse, HttpResponseRedirect

from tests.matrix import ROLES, Row, check_matrix, only


class FakeClient:
    """Answers every request with one prepared response (the helper only reads status and Location)."""

    def __init__(self, response):
        self.response = response

    def force_login(self, user):
        pass

    def get(self, url, data):
        return self.response

    post = get


def people():
    return dict.fromkeys(ROLES)


def answers(by_role):
    """A client factory for check_matrix, which makes one client per role in ROLES' order."""
    roles = iter(ROLES)
    return lambda: FakeClient(by_role(next(roles)))


def test_a_redirect_to_the_login_page_is_a_refusal_for_a_role_that_must_be_allowed():
    rows = [Row("get", "/review/", only("reviewer_x"))]

    def by_role(role):
        if role in ("anonymous", "reviewer_x"):  # reviewer_x is sent to sign in again: not allowed after all
            return HttpResponseRedirect("/accounts/login/?next=/review/")
        return HttpResponse(status=403)

    assert check_matrix(answers(by_role), people(), rows) == [
        "reviewer_x GET /review/: expected success, got a redirect to /accounts/login/?next=/review/"]


def test_a_redirect_elsewhere_is_success_for_an_allowed_role_and_a_refusal_is_required_of_the_others():
    rows = [Row("post", "/inbox/read/", only("clerk"))]
    problems = check_matrix(lambda: FakeClient(HttpResponseRedirect("/inbox/")), people(), rows)
    assert "clerk POST /inbox/read/: expected success, got 302" not in problems
    assert len(problems) == len(ROLES) - 1  # every other role got the same redirect: none of them refused
    assert "anonymous POST /inbox/read/: expected refusal, got 302" in problems


def test_refusals_and_successes_as_they_should_be_are_no_problem():
    rows = [Row("get", "/workspace/clerk/", only("clerk"))]

    def by_role(role):
        if role == "anonymous":
            return HttpResponseRedirect("/accounts/login/?next=/workspace/clerk/")
        return HttpResponse(status=200 if role == "clerk" else 403)

    assert check_matrix(answers(by_role), people(), rows) == []
