from django.core.management.base import BaseCommand, CommandError

from capabilities.crosswalkformat import crosswalk_as_dict, dump_crosswalk
from capabilities.models import Crosswalk


class Command(BaseCommand):
    help = "Write the crosswalk from one framework version to another as YAML, in the format load_crosswalk reads."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Source version code, e.g. MNR-2016.")
        parser.add_argument("target", help="Target version code, e.g. MNR-2016-R2025.")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, source, target, output=None, **options):
        crosswalk = (
            Crosswalk.objects.select_related("source", "target")
            .filter(source__code=source, target__code=target)
            .first()
        )
        if crosswalk is None:
            known = ", ".join(str(c) for c in Crosswalk.objects.select_related("source", "target")) or "none"
            raise CommandError(f"No crosswalk from {source!r} to {target!r} (known: {known}).")
        text = dump_crosswalk(crosswalk_as_dict(crosswalk))
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {crosswalk} to {output}.")
        else:
            self.stdout.write(text, ending="")
