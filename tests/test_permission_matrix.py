from django.test import Client

from tests.matrix import MATRIX, check_matrix


def test_every_role_against_every_core_page_and_endpoint(people, work_calendar):
    assert check_matrix(Client, people, MATRIX) == []
