"""Placeholder until the pages land: every route answers 404."""

from django.http import Http404


def download_template(request, *args, **kwargs):
    raise Http404

def import_workbook(request, *args, **kwargs):
    raise Http404

def export_list(request, *args, **kwargs):
    raise Http404

def dynamic_report(request, *args, **kwargs):
    raise Http404

def dynamic_report_export(request, *args, **kwargs):
    raise Http404
