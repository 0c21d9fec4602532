"""The routine editor: a form per step, reordering, live duration and a plan preview."""

urlpatterns = []
