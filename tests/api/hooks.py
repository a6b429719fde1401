"""Schemathesis hooks for tests/api/run.sh (issue 32): the run cannot saw off the branch it sits
on. Its token belongs to a platform client whose id no example or declared link names, but the
stateful phase infers links from listings (`GET /clients` lists every client); a call that
would change or delete that client is sent for an id that does not exist instead."""

import os

import schemathesis

OPERATOR = os.environ["LANYARD_FUZZ_OPERATOR"]


@schemathesis.hook
def before_call(context, case, kwargs):
    parameters = case.path_parameters or {}
    if parameters.get("client_id") == OPERATOR:
        parameters["client_id"] = f"not-{OPERATOR}"
