"""The location's settings (and the business's) on one page."""

urlpatterns = []
