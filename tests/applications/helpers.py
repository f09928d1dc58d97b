"""Building applications through the services, as users do (tests make data the way the portal does)."""

from applications.models import Application, MaterialStatus
from applications.services import filing
from tests.applications.conftest import FORM_DATA, pdf_file


def filled(actor, applicant, version, *, data=None, skip=(), **start) -> Application:
    """A draft with the form filled and a PDF uploaded for every required material except those named."""
    application = filing.application_start(actor=actor, applicant=applicant, version=version, **start)
    filing.application_save_form(actor=actor, application=application, data=data or FORM_DATA)
    for material in application.materials.all():
        if material.required and material.name not in skip:
            filing.material_upload(actor=actor, application=application, material=material, files=[pdf_file()])
    return application


def submitted(actor, applicant, version, **kwargs) -> Application:
    application = filled(actor, applicant, version, **kwargs)
    return filing.application_submit(actor=actor, application=application)


def material(application: Application, name: str):
    return application.materials.get(name=name)


def missing(application: Application) -> list[str]:
    return list(application.materials.filter(status=MaterialStatus.MISSING).values_list("name", flat=True))
