package main

import "context"

func init() {
	var asJSON bool
	commands["build"] = &command{
		summary: "publish this week's issue (pages, archive, feeds); until it is mailed, building again refreshes it",
		flags: func(fs *flagSet) {
			fs.BoolVar(&asJSON, "json", false, "print a JSON summary on stdout, with every picked item")
		},
		run: func(ctx context.Context, a *app) error {
			n, err := a.newsletter(ctx, false)
			if err != nil {
				return err
			}
			res, err := n.Build(ctx, a.now)
			if err != nil {
				return err
			}
			return a.report(res, asJSON, nil)
		},
	}
}
