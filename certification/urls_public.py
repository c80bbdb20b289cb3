"""The public pages (certification/public.py): no sign-in."""

from django.urls import path

from certification import public

app_name = "public"

urlpatterns = [
    path("register/", public.register, name="register"),
    path("register/<str:number>/", public.certificate, name="certificate"),
    path("verify/<str:code>/", public.verify, name="verify"),
]
