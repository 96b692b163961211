from django.contrib import admin

from .models import Vote


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["title", "method", "seats", "assembly", "created_at"]
    readonly_fields = ["lot_seed"]
