"""Placeholder until the pages land: every route answers 404."""

from django.http import Http404


def target_list(request, *args, **kwargs):
    raise Http404

def target_create(request, *args, **kwargs):
    raise Http404

def target_detail(request, *args, **kwargs):
    raise Http404

def target_edit(request, *args, **kwargs):
    raise Http404

def target_defunct(request, *args, **kwargs):
    raise Http404

def inspector_list(request, *args, **kwargs):
    raise Http404

def inspector_create(request, *args, **kwargs):
    raise Http404

def inspector_detail(request, *args, **kwargs):
    raise Http404

def inspector_edit(request, *args, **kwargs):
    raise Http404

def checkitem_list(request, *args, **kwargs):
    raise Http404

def checkitem_create(request, *args, **kwargs):
    raise Http404

def checkitem_detail(request, *args, **kwargs):
    raise Http404

def checkitem_edit(request, *args, **kwargs):
    raise Http404

def jurisdiction_list(request, *args, **kwargs):
    raise Http404

def jurisdiction_detail(request, *args, **kwargs):
    raise Http404

def department_list(request, *args, **kwargs):
    raise Http404

def department_create(request, *args, **kwargs):
    raise Http404

def department_detail(request, *args, **kwargs):
    raise Http404

def department_edit(request, *args, **kwargs):
    raise Http404
