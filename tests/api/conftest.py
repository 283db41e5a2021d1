"""Tokens of the two people the API tests act as: the focal point of the organisation and the coordinator."""

import pytest

from tests.factories import api_token


@pytest.fixture
def fp_token(focal_point):
    return api_token(focal_point)


@pytest.fixture
def coordinator_token(coordinator):
    return api_token(coordinator)
