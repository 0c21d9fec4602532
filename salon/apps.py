from django.apps import AppConfig


class SalonConfig(AppConfig):
    name = "salon"
    label = "salon"
    verbose_name = "Salon"
