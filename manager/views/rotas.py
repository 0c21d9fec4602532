"""Rotas: a therapist's week at a location as a grid, from a date, alternating
weeks, and its effect on the coming weeks."""

urlpatterns = []
