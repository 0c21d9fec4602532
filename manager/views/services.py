"""The service menu: each routine's lengths and prices at the location, its description and online booking."""

urlpatterns = []
