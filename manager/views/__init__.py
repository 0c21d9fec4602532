"""The manager's pages, a module per part of /manage/. Each module keeps its
own ``urlpatterns`` (see ``manager.urls``). Views are thin: validate the
form, call one service, show the result; a refusal is shown on the page
with the words of the service."""
